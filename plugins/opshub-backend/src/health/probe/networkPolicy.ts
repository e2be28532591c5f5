import ipaddr from 'ipaddr.js';
import type { AddressRefusal } from './types';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const ALLOWED_NETWORKS_KEY = 'opshub.health.allowedNetworks';
const ALLOW_PRIVATE_KEY = 'opshub.health.allowPrivateNetworks';

/** IPv4 ranges (ipaddr.js names) never probed unless in allowedNetworks. */
const ALWAYS_REFUSED_V4: Record<string, string> = {
  unspecified: 'unspecified',
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local',
  loopback: 'loopback',
};
const ALWAYS_REFUSED_V6: Record<string, string> = {
  unspecified: 'unspecified',
  linkLocal: 'link-local',
  multicast: 'multicast',
  loopback: 'loopback',
};
/** Ranges probed only with allowPrivateNetworks (or through allowedNetworks). */
const PRIVATE_V4: Record<string, string> = {
  private: 'private (RFC 1918)',
  carrierGradeNat: 'carrier-grade NAT (RFC 6598)',
};
const PRIVATE_V6: Record<string, string> = {
  uniqueLocal: 'unique local (fc00::/7)',
};

export interface NetworkPolicyOptions {
  /** RFC 1918, CGNAT and ULA addresses may be probed. */
  allowPrivateNetworks: boolean;
  /** CIDRs (or single addresses) probed even where a rule refuses them. */
  allowedNetworks: readonly string[];
}

/**
 * Which addresses a health probe may connect to (issue 15, "Probing"):
 * loopback, unspecified, link-local, multicast, broadcast and every other
 * non-unicast range are refused, private ranges unless allowPrivateNetworks,
 * and any address inside an allowedNetworks CIDR is allowed. IPv6 forms that
 * carry an IPv4 address (mapped, compatible, translated, NAT64, 6to4) are
 * judged as the IPv4 address they carry, so no wrapping gets around a rule.
 */
export class NetworkPolicy {
  private readonly allowPrivateNetworks: boolean;
  private readonly allowed: Array<[Address, number]>;

  /** Throws an Error naming opshub.health.allowedNetworks and the bad value. */
  constructor(options: NetworkPolicyOptions) {
    this.allowPrivateNetworks = options.allowPrivateNetworks;
    this.allowed = options.allowedNetworks.map(parseAllowedNetwork);
  }

  /** Why `address` (an IP address, as DNS or the URL parser give it) may not be probed. */
  refusalOf(address: string): AddressRefusal {
    let parsed: Address;
    try {
      parsed = parseAddress(address);
    } catch {
      return { rule: `${quote(address)} is not an IP address` };
    }
    return this.judge(parsed, address);
  }

  /**
   * Why the IP-literal host of `url` may not be probed; undefined for a host
   * name (names are judged when they are connected to) and for an allowed
   * address. The URL parser canonicalizes decimal, octal and hex IPv4 forms,
   * so the judged address is the one a client would connect to.
   */
  refusalOfUrl(url: string): AddressRefusal {
    let hostname: string;
    try {
      hostname = new URL(url).hostname;
    } catch {
      return { rule: 'the URL is not a valid URL' };
    }
    if (hostname.startsWith('[') && hostname.endsWith(']')) {
      return this.refusalOf(hostname.slice(1, -1));
    }
    if (ipaddr.IPv4.isValidFourPartDecimal(hostname)) {
      return this.refusalOf(hostname);
    }
    return undefined;
  }

  private judge(address: Address, shown: string): AddressRefusal {
    if (this.isAllowListed(address)) return undefined;

    if (address.kind() === 'ipv6') {
      const embedded = embeddedIPv4(address as ipaddr.IPv6);
      if (embedded) {
        // Any refused reading refuses the address.
        for (const candidate of embedded.candidates) {
          const refusal = this.judge(
            candidate,
            `${shown} (${embedded.form} ${candidate.toString()})`,
          );
          if (refusal) return refusal;
        }
        return undefined;
      }
    }

    const range = address.range();
    const v4 = address.kind() === 'ipv4';
    const always = (v4 ? ALWAYS_REFUSED_V4 : ALWAYS_REFUSED_V6)[range];
    if (always) {
      return {
        rule: `${shown} is ${always} (allow it through ${ALLOWED_NETWORKS_KEY})`,
      };
    }
    const privateKind = (v4 ? PRIVATE_V4 : PRIVATE_V6)[range];
    if (privateKind) {
      return this.allowPrivateNetworks
        ? undefined
        : {
            rule: `${shown} is ${privateKind} (allow it through ${ALLOW_PRIVATE_KEY} or ${ALLOWED_NETWORKS_KEY})`,
          };
    }
    if (range !== 'unicast') {
      return {
        rule: `${shown} is in the special-purpose range ${range} (allow it through ${ALLOWED_NETWORKS_KEY})`,
      };
    }
    return undefined;
  }

  private isAllowListed(address: Address): boolean {
    return this.allowed.some(
      ([network, bits]) =>
        network.kind() === address.kind() && address.match(network, bits),
    );
  }
}

/** Strict parsing: four-part decimal IPv4 or IPv6 (a zone id is dropped). */
function parseAddress(text: string): Address {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  return ipaddr.IPv6.parse(text);
}

function parseAllowedNetwork(value: string): [Address, number] {
  try {
    if (typeof value !== 'string') throw new Error('not a string');
    const slash = value.indexOf('/');
    const address = parseAddress(slash < 0 ? value : value.slice(0, slash));
    const max = address.kind() === 'ipv4' ? 32 : 128;
    if (slash < 0) return [address, max];
    const bitsText = value.slice(slash + 1);
    const bits = Number(bitsText);
    if (!/^\d{1,3}$/.test(bitsText) || bits > max) {
      throw new Error('bad prefix length');
    }
    return [address, bits];
  } catch {
    throw new Error(
      `${ALLOWED_NETWORKS_KEY} holds ${quote(
        value,
      )}, which is not a CIDR (e.g. 127.0.0.1/32 or fd00::/8) or an IP address`,
    );
  }
}

/**
 * The IPv4 address an IPv6 address carries, by the forms that deliver to
 * it: IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96 and the local-use
 * 64:ff9b:1::/48) and 6to4 (2002::/16).
 */
function embeddedIPv4(
  address: ipaddr.IPv6,
): { form: string; candidates: ipaddr.IPv4[] } | undefined {
  const p = address.parts;
  const bytes = address.toByteArray();
  const at = (...indexes: number[]) => [
    new ipaddr.IPv4(indexes.map(i => bytes[i])),
  ];
  const last = () => at(12, 13, 14, 15);
  const zeros = (from: number, to: number) =>
    p.slice(from, to).every(part => part === 0);

  if (zeros(0, 5) && p[5] === 0xffff) {
    return { form: 'IPv4-mapped', candidates: last() };
  }
  if (zeros(0, 4) && p[4] === 0xffff && p[5] === 0) {
    return { form: 'IPv4-translated', candidates: last() };
  }
  // ::a.b.c.d, but :: and ::1 are themselves (unspecified, loopback).
  if (zeros(0, 6) && !(p[6] === 0 && p[7] <= 1)) {
    return { form: 'IPv4-compatible', candidates: last() };
  }
  if (p[0] === 0x64 && p[1] === 0xff9b && zeros(2, 6)) {
    return { form: 'NAT64', candidates: last() };
  }
  if (p[0] === 0x64 && p[1] === 0xff9b && p[2] === 1) {
    // The local-use prefix may be used with any length from /48 to /96,
    // each placing the IPv4 address elsewhere (RFC 6052 section 2.2, the
    // u octet, byte 8, skipped). Which one a network uses is unknown here,
    // so every placement is judged and any refused reading refuses: most
    // local-use addresses are then refused (zero prefix bits read as
    // 0.0.0.0), and a network that uses the prefix lists it in
    // allowedNetworks, which is checked before this.
    return {
      form: 'NAT64',
      candidates: [
        ...at(6, 7, 9, 10), // /48
        ...at(7, 9, 10, 11), // /56
        ...at(9, 10, 11, 12), // /64
        ...last(), // /96
      ],
    };
  }
  if (p[0] === 0x2002) {
    return { form: '6to4', candidates: at(2, 3, 4, 5) };
  }
  return undefined;
}

function quote(value: unknown): string {
  return JSON.stringify(String(value).slice(0, 60));
}
