import type { LookupAddress, LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import type { NetworkPolicy } from './networkPolicy';

/** A connection refused by the network policy (the probe's `blocked`). */
export class BlockedAddressError extends Error {
  readonly code = 'OPSHUB_BLOCKED_ADDRESS';
  constructor(readonly rule: string) {
    super(rule);
    this.name = 'BlockedAddressError';
  }
}

/**
 * A name resolution that hands net.connect only addresses the policy
 * allows. net.connect connects to exactly what this answers, so the check
 * is on the address actually connected to: a name that resolved somewhere
 * harmless a moment ago (DNS rebinding) gets no second chance. The
 * injected `lookup` is always asked for every address (`all: true`); one
 * refused address refuses the name.
 */
export function guardedLookup(
  policy: NetworkPolicy,
  lookup: LookupFunction,
): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, answer, family) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const addresses: LookupAddress[] = Array.isArray(answer)
        ? answer
        : [{ address: answer, family: family ?? isIP(answer) }];
      if (addresses.length === 0) {
        const notFound = Object.assign(
          new Error(`${hostname} has no address`),
          { code: 'ENOTFOUND', hostname },
        );
        callback(notFound, '', 0);
        return;
      }
      for (const { address } of addresses) {
        const refusal = policy.refusalOf(address);
        if (refusal) {
          callback(
            new BlockedAddressError(
              `${hostname} resolves to a refused address: ${refusal.rule}`,
            ),
            '',
            0,
          );
          return;
        }
      }
      if ((options as LookupOptions).all) {
        callback(null, addresses);
      } else {
        callback(null, addresses[0].address, addresses[0].family);
      }
    });
  };
}

type Connector = buildConnector.connector;

/**
 * undici's connector with the policy applied at connect time: names
 * through guardedLookup, and IP-literal hosts (which net.connect connects
 * to without any lookup) judged before a socket exists.
 */
export function guardedConnector(options: {
  policy: NetworkPolicy;
  lookup: LookupFunction;
  /**
   * Tests only: the one CA (PEM) https probes trust instead of the usual
   * roots, so a loopback server's self-signed certificate verifies.
   * Verification itself is never turned off.
   */
  testOnlyTrustedCa?: string;
}): Connector {
  const connect = buildConnector({
    lookup: guardedLookup(options.policy, options.lookup),
    // A fresh handshake per probe: resumed TLS sessions would make the
    // latency of every probe but the first look cheaper than it is.
    maxCachedSessions: 0,
    ...(options.testOnlyTrustedCa ? { ca: options.testOnlyTrustedCa } : {}),
  });
  return (connectOptions, callback) => {
    const host = connectOptions.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host)) {
      const refusal = options.policy.refusalOf(host);
      if (refusal) {
        process.nextTick(callback, new BlockedAddressError(refusal.rule), null);
        return;
      }
    }
    connect(connectOptions, callback);
  };
}
