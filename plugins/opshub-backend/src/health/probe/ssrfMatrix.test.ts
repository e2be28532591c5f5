import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import { fakeLookup } from '../__testUtils__/loopbackServers';
import { NetworkPolicy } from './networkPolicy';
import { createSsrfSafeProber } from './ssrfSafeProber';
import { probeRequest } from './__testUtils__/probeRequests';
import {
  ALWAYS_REFUSED,
  MIXED,
  PRIVATE,
  REFUSED_LITERAL_URLS,
} from './__testUtils__/ssrfMatrix';

const guard = useConnectionGuard();

const strict = new NetworkPolicy({
  allowPrivateNetworks: false,
  allowedNetworks: [],
});

const request = (url: string) => probeRequest(url);

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
    const lookup = fakeLookup(MIXED);
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
  it.each(REFUSED_LITERAL_URLS)(
    '%s is blocked without a lookup or a connection',
    async url => {
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
    },
  );
});
