import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, fetch, type Response } from 'undici';
import type {
  OpsHubHealthErrorClass,
  OpsHubProbeOutcome,
} from '@opshub/plugin-opshub-common';
import {
  certificateExpiryWarning,
  watchingCertificates,
} from './certificateExpiry';
import { bodyAssertionFailure } from './checkResponse';
import { classifyProbeError } from './classifyProbeError';
import { parseExpectedStatus } from './expectedStatus';
import { guardedConnector } from './guardedConnector';
import type { NetworkPolicy } from './networkPolicy';
import { readCappedBody } from './readCappedBody';
import type { ProbeRequest, ProbeResult, Prober } from './types';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface SsrfSafeProberOptions {
  policy: NetworkPolicy;
  /** Redirects followed per probe (opshub.health.maxRedirects). */
  maxRedirects: number;
  /** Body bytes read at most; assertions see what was read. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Name resolution (called with `all: true`); default node:dns lookup. */
  lookup?: LookupFunction;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
  /** Tests only: the CA (PEM) https probes trust (guardedConnector). */
  testOnlyTrustedCa?: string;
}

/** A probe's failure, before timing is attached. */
class ProbeFailure {
  constructor(
    readonly errorClass: OpsHubHealthErrorClass,
    readonly message: string,
    readonly statusCode: number | null = null,
  ) {}
}

/** What one probe's requests share: its connections and its signal. */
interface ProbeContext {
  agent: Agent;
  signal: AbortSignal;
}

/**
 * The one HTTP client of health probes (issue 15, "Probing"): undici's
 * fetch through an Agent whose connector applies the NetworkPolicy at
 * connect time (guardedConnector), redirects followed by hand with each
 * hop checked again, the whole probe bounded by the request's timeoutMs
 * and bodies read up to maxBodyBytes. The check's headers go to its URL's
 * origin only: a redirect to another origin is followed without them.
 *
 * Connections are never reused (each probe has an Agent of its own,
 * `pipelining: 0` turns keep-alive off, and TLS sessions are not cached):
 * each probe measures a fresh connect and handshake, each connect resolves
 * the name again through the policy, and the certificates a probe's
 * connections presented are its own (certExpiryDays).
 */
export function createSsrfSafeProber(
  options: SsrfSafeProberOptions,
): Prober & { close(): Promise<void> } {
  const { policy, maxRedirects } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  const connect = guardedConnector({
    policy,
    lookup: options.lookup ?? (dnsLookup as LookupFunction),
    testOnlyTrustedCa: options.testOnlyTrustedCa,
  });
  /** The Agents of probes in flight (close ends them). */
  const agents = new Set<Agent>();

  async function request(
    url: URL,
    method: ProbeRequest['method'],
    headers: Record<string, string>,
    { agent, signal }: ProbeContext,
  ): Promise<Response> {
    const refusal = policy.refusalOfUrl(url.href);
    if (refusal) throw new ProbeFailure('blocked', refusal.rule);
    try {
      return await fetch(url, {
        method,
        redirect: 'manual',
        signal,
        dispatcher: agent,
        headers,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const { errorClass, message } = classifyProbeError(error, url.host);
      throw new ProbeFailure(errorClass, message);
    }
  }

  /** The final response after redirects (its body not read yet). */
  async function follow(
    probe: ProbeRequest,
    expected: (status: number) => boolean,
    context: ProbeContext,
  ): Promise<Response> {
    let url = parseProbeUrl(probe.url);
    const origin = url.origin;
    const withCheckHeaders = requestHeaders(probe.headers);
    const withoutCheckHeaders = requestHeaders({});
    for (let hop = 0; ; hop++) {
      // A credential in the check's headers never follows a redirect to
      // another host, port or scheme.
      const headers =
        url.origin === origin ? withCheckHeaders : withoutCheckHeaders;
      const response = await request(url, probe.method, headers, context);
      const location = response.headers.get('location');
      // A redirect the check expects is its answer (e.g. `301`).
      if (
        !REDIRECT_STATUSES.has(response.status) ||
        location === null ||
        expected(response.status)
      ) {
        return response;
      }
      await response.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new ProbeFailure(
          'status',
          `status ${response.status} redirects more than ${maxRedirects} time(s) (opshub.health.maxRedirects)`,
          response.status,
        );
      }
      url = parseRedirect(location, url, response.status);
    }
  }

  async function run(
    probe: ProbeRequest,
    context: ProbeContext,
  ): Promise<{ statusCode: number | null; failure?: ProbeFailure }> {
    let expected: (status: number) => boolean;
    try {
      expected = parseExpectedStatus(probe.expectedStatus);
    } catch (error) {
      return {
        statusCode: null,
        failure: new ProbeFailure('status', (error as Error).message),
      };
    }
    const response = await follow(probe, expected, context);
    if (!expected(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      return {
        statusCode: response.status,
        failure: new ProbeFailure(
          'status',
          `status ${response.status} not in ${probe.expectedStatus}`,
          response.status,
        ),
      };
    }
    // HEAD has no body to read; undici gives it none.
    const body =
      probe.method === 'HEAD'
        ? { bytes: new Uint8Array(0), capped: false }
        : await readBody(
            response,
            maxBodyBytes,
            context.signal,
            hostOf(response),
          );
    const mismatch = bodyAssertionFailure(body, probe);
    return {
      statusCode: response.status,
      failure: mismatch
        ? new ProbeFailure('assertion', mismatch, response.status)
        : undefined,
    };
  }

  return {
    async probe(probe, signal) {
      const started = now();
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new Error('probe timeout')),
        probe.timeoutMs,
      );
      const combined = signal
        ? AbortSignal.any([deadline.signal, signal])
        : deadline.signal;
      let soonestExpiry: Date | undefined;
      const agent = new Agent({
        connect: watchingCertificates(connect, expiresAt => {
          if (!soonestExpiry || expiresAt < soonestExpiry) {
            soonestExpiry = expiresAt;
          }
        }),
        pipelining: 0,
      });
      agents.add(agent);
      let outcome: { statusCode: number | null; failure?: ProbeFailure };
      try {
        outcome = await run(probe, { agent, signal: combined });
      } catch (error) {
        if (error instanceof ProbeFailure) {
          outcome = { statusCode: error.statusCode, failure: error };
        } else if (deadline.signal.aborted) {
          outcome = {
            statusCode: null,
            failure: new ProbeFailure(
              'timeout',
              `no complete answer within ${probe.timeoutMs} ms`,
            ),
          };
        } else {
          // The caller's signal (shutdown): not the target's failure.
          throw error;
        }
      } finally {
        clearTimeout(timer);
        agents.delete(agent);
        await agent.destroy();
      }
      const ended = now();
      const latencyMs = Math.max(0, Math.round(ended - started));
      const { failure, statusCode } = outcome;
      const expiring =
        probe.certExpiryDays !== null && soonestExpiry
          ? certificateExpiryWarning(soonestExpiry, probe.certExpiryDays, ended)
          : undefined;
      let result: OpsHubProbeOutcome = 'success';
      if (failure) result = 'failure';
      else if (
        expiring !== undefined ||
        (probe.degradedLatencyMs !== null &&
          latencyMs > probe.degradedLatencyMs)
      ) {
        result = 'degraded';
      }
      return {
        outcome: result,
        startedAt: new Date(started),
        latencyMs,
        statusCode,
        errorClass: failure?.errorClass ?? null,
        message: failure?.message ?? expiring ?? null,
      } satisfies ProbeResult;
    },
    async close() {
      await Promise.all([...agents].map(agent => agent.destroy()));
    },
  };
}

/** What every request of a probe sends, the check's headers overriding ours. */
function requestHeaders(
  checkHeaders: Record<string, string> | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': 'OpsHub-Health',
    'accept-encoding': 'identity',
  };
  for (const [name, value] of Object.entries(checkHeaders ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

function hostOf(response: Response): string {
  try {
    return new URL(response.url).host;
  } catch {
    return 'the target';
  }
}

async function readBody(
  response: Response,
  maxBodyBytes: number,
  signal: AbortSignal,
  host: string,
): Promise<{ bytes: Uint8Array; capped: boolean }> {
  try {
    return await readCappedBody(response.body, maxBodyBytes);
  } catch (error) {
    if (signal.aborted) throw error;
    const { errorClass, message } = classifyProbeError(error, host);
    throw new ProbeFailure(errorClass, message, response.status);
  }
}

function parseProbeUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProbeFailure('connect', 'the URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeFailure('connect', 'only http and https URLs are probed');
  }
  return url;
}

function parseRedirect(location: string, from: URL, status: number): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new ProbeFailure(
      'status',
      `status ${status} redirects to an invalid location`,
      status,
    );
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new ProbeFailure(
      'status',
      `status ${status} redirects to a ${next.protocol.replace(
        ':',
        '',
      )} URL (only http and https are followed)`,
      status,
    );
  }
  return next;
}
