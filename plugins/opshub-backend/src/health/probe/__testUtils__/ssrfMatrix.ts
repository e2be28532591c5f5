/**
 * The refused-address matrix (issue 15, "SSRF"): the addresses a name may
 * resolve to that a probe never connects to, and IP-literal URLs refused
 * before any lookup. The prober's tests and the reliability bench (R5, the
 * same matrix through the routes) share it.
 */

/** Refused whatever the policy allows (loopback, link-local, mapped forms, …). */
export const ALWAYS_REFUSED = [
  '127.0.0.1',
  '127.1.2.3',
  '::1',
  '0.0.0.0',
  '::',
  '169.254.169.254',
  'fe80::1',
  '224.0.0.1',
  'ff02::1',
  '255.255.255.255',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '::7f00:1',
  '64:ff9b::7f00:1',
  '64:ff9b::a9fe:a9fe',
  '2002:7f00:1::',
  '2002:a9fe:a9fe::',
];
/** Private, CGNAT and ULA ranges: refused unless allowPrivateNetworks. */
export const PRIVATE = [
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '100.64.0.1',
  'fd00::1',
];

/** A name with a harmless address and a refused one: refused. */
export const MIXED = ['8.8.8.8', '10.0.0.1'];

/** URLs whose host is a refused IP literal, in its many spellings. */
export const REFUSED_LITERAL_URLS = [
  'http://127.0.0.1/',
  'http://[::1]/',
  'http://0x7f000001/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://[::ffff:127.0.0.1]/',
  'http://169.254.169.254/latest/meta-data/',
  'https://10.0.0.1:8443/',
  'http://[64:ff9b::7f00:1]/',
];
