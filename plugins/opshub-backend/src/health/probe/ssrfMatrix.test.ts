import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import { fakeLookup } from '../__testUtils__/loopbackServers';
import { NetworkPolicy } from './networkPolicy';
import { createSsrfSafeProber } from './ssrfSafeProber';
import { probeRequest } from './__testUtils__/probeRequests';

const guard = useConnectionGuard();

const strict = new NetworkPolicy({
  allowPrivateNetworks: false,
  allowedNetworks: [],
});

const request = (url: string) => probeRequest(url);

const ALWAYS_REFUSED = [
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
const PRIVATE = [
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '100.64.0.1',
  'fd00::1',
];

describe('SSRF matrix: a name resolving to a refused address', () => {
  it.each([...ALWAYS_REFUSED, ...PRIVATE])(
    '%s is blocked before any connection',
    async address => {
      const lookup = fakeLookup(address);
      const prober = createSsrfSafeProber({
        policy: strict,
        maxRedirects: 5,
        lookup,
      });
      try {
        const result = await prober.probe(request('http://target.test/health'));
        expect(result).toMatchObject({
          outcome: 'failure',
          errorClass: 'blocked',
          statusCode: null,
        });
        expect(result.message).toContain(
          'target.test resolves to a refused address',
        );
        expect(lookup.calls).toEqual(['target.test']);
        expect(guard.attempts).toEqual([]);
      } finally {
        await prober.close();
      }
    },
  );

  it('refuses a name when any of its addresses is refused', async () => {
    const lookup = fakeLookup(['8.8.8.8', '10.0.0.1']);
    const prober = createSsrfSafeProber({
      policy: strict,
      maxRedirects: 5,
      lookup,
    });
    try {
      const result = await prober.probe(request('https://mixed.test/'));
      expect(result.errorClass).toBe('blocked');
      expect(result.message).toMatch(/10\.0\.0\.1 is private/);
      expect(guard.attempts).toEqual([]);
    } finally {
      await prober.close();
    }
  });

  it('allows private forms only with allowPrivateNetworks (the policy answers; nothing connects)', () => {
    const open = new NetworkPolicy({
      allowPrivateNetworks: true,
      allowedNetworks: [],
    });
    for (const address of PRIVATE) {
      expect(strict.refusalOf(address)).toBeDefined();
      expect(open.refusalOf(address)).toBeUndefined();
    }
    for (const address of ALWAYS_REFUSED) {
      expect(open.refusalOf(address)).toBeDefined();
    }
  });
});

describe('SSRF matrix: IP-literal URLs', () => {
  it.each([
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://169.254.169.254/latest/meta-data/',
    'https://10.0.0.1:8443/',
    'http://[64:ff9b::7f00:1]/',
  ])('%s is blocked without a lookup or a connection', async url => {
    const lookup = fakeLookup('8.8.8.8');
    const prober = createSsrfSafeProber({
      policy: strict,
      maxRedirects: 5,
      lookup,
    });
    try {
      const result = await prober.probe(request(url));
      expect(result).toMatchObject({
        outcome: 'failure',
        errorClass: 'blocked',
      });
      expect(result.message).toMatch(/is (loopback|link-local|private)/);
      expect(lookup.calls).toEqual([]);
      expect(guard.attempts).toEqual([]);
    } finally {
      await prober.close();
    }
  });
});
