import { NetworkPolicy } from './networkPolicy';

const strict = new NetworkPolicy({
  allowPrivateNetworks: false,
  allowedNetworks: [],
});
const privateAllowed = new NetworkPolicy({
  allowPrivateNetworks: true,
  allowedNetworks: [],
});

describe('NetworkPolicy', () => {
  it.each([
    [
      '127.0.0.1',
      /127\.0\.0\.1 is loopback \(allow it through opshub\.health\.allowedNetworks\)/,
    ],
    ['127.1.2.3', /loopback/],
    ['::1', /::1 is loopback/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['::', /unspecified/],
    ['169.254.169.254', /link-local/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['224.0.0.1', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['192.0.2.1', /special-purpose range reserved/],
    ['240.0.0.1', /special-purpose range reserved/],
    ['2001:db8::1', /special-purpose range reserved/],
    ['fec0::1', /special-purpose range deprecatedSiteLocal/],
    ['2001::1', /special-purpose range teredo/],
    ['::ffff:127.0.0.1', /IPv4-mapped 127\.0\.0\.1\) is loopback/],
    ['::ffff:7f00:1', /IPv4-mapped 127\.0\.0\.1\) is loopback/],
    ['::ffff:0:7f00:1', /IPv4-translated 127\.0\.0\.1\) is loopback/],
    ['::7f00:1', /IPv4-compatible 127\.0\.0\.1\) is loopback/],
    ['64:ff9b::7f00:1', /NAT64 127\.0\.0\.1\) is loopback/],
    ['64:ff9b::a9fe:a9fe', /NAT64 169\.254\.169\.254\) is link-local/],
    ['64:ff9b::a00:1', /NAT64 10\.0\.0\.1\) is private/],
    ['64:ff9b:1:7f00:0:100::', /NAT64 127\.0\.0\.1\) is loopback/],
    ['64:ff9b:1::808:808', /NAT64/],
    ['2002:7f00:1::', /6to4 127\.0\.0\.1\) is loopback/],
    ['2002:a9fe:a9fe::', /6to4 169\.254\.169\.254\) is link-local/],
    [
      '10.0.0.1',
      /10\.0\.0\.1 is private \(RFC 1918\) \(allow it through opshub\.health\.allowPrivateNetworks or opshub\.health\.allowedNetworks\)/,
    ],
    ['172.16.0.1', /private/],
    ['192.168.1.1', /private/],
    ['100.64.0.1', /carrier-grade NAT/],
    ['fd00::1', /unique local/],
    ['localhost', /is not an IP address/],
    ['127.1', /is not an IP address/],
    ['0x7f000001', /is not an IP address/],
  ])('refuses %s', (address, rule) => {
    expect(strict.refusalOf(address)?.rule).toMatch(rule);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('allows the public address %s', address => {
    expect(strict.refusalOf(address)).toBeUndefined();
  });

  it('allows private ranges (and their IPv6 forms) only with allowPrivateNetworks', () => {
    for (const address of [
      '10.0.0.1',
      '172.16.0.1',
      '192.168.1.1',
      '100.64.0.1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '64:ff9b::a00:1',
      '2002:c0a8:101::',
    ]) {
      expect(strict.refusalOf(address)).toBeDefined();
      expect(privateAllowed.refusalOf(address)).toBeUndefined();
    }
    for (const address of ['127.0.0.1', '169.254.169.254', '::1', '0.0.0.0']) {
      expect(privateAllowed.refusalOf(address)).toBeDefined();
    }
  });

  it('allows whatever allowedNetworks contain, and nothing more', () => {
    const policy = new NetworkPolicy({
      allowPrivateNetworks: false,
      allowedNetworks: ['127.0.0.1/32', '169.254.0.0/16', '::1', 'fd12::/16'],
    });
    expect(policy.refusalOf('127.0.0.1')).toBeUndefined();
    expect(policy.refusalOf('::ffff:127.0.0.1')).toBeUndefined();
    expect(policy.refusalOf('169.254.169.254')).toBeUndefined();
    expect(policy.refusalOf('::1')).toBeUndefined();
    expect(policy.refusalOf('fd12::5')).toBeUndefined();
    expect(policy.refusalOf('127.0.0.2')?.rule).toMatch(/loopback/);
    expect(policy.refusalOf('fd13::5')?.rule).toMatch(/unique local/);
    expect(policy.refusalOf('10.0.0.1')?.rule).toMatch(/private/);
  });

  it.each([
    '10.0.0.0/33',
    'nope',
    '10.0.0/8',
    '::1/129',
    '10.0.0.0/',
    '0x7f000001/32',
    '10.0.0.0/8 ',
  ])('refuses the allowedNetworks entry %j at construction', value => {
    expect(
      () =>
        new NetworkPolicy({
          allowPrivateNetworks: false,
          allowedNetworks: [value],
        }),
    ).toThrow(
      `opshub.health.allowedNetworks holds ${JSON.stringify(
        value,
      )}, which is not a CIDR`,
    );
  });

  describe('refusalOfUrl', () => {
    it.each([
      'http://127.0.0.1/',
      'http://[::1]/',
      'http://0x7f000001/',
      'http://2130706433/',
      'http://0177.0.0.1/',
      'http://127.1/',
      'http://127.0.0.1./health',
      'http://[::ffff:127.0.0.1]/',
      'http://[::127.0.0.1]/',
      'https://169.254.169.254/latest/meta-data',
      'http://[64:ff9b::7f00:1]:8080/',
      'http://user:pw@10.0.0.1:80/',
    ])('refuses the IP literal of %s', url => {
      expect(strict.refusalOfUrl(url)).toEqual({ rule: expect.any(String) });
    });

    it('says nothing of names and allowed addresses', () => {
      expect(strict.refusalOfUrl('http://localhost/')).toBeUndefined();
      expect(strict.refusalOfUrl('https://example.com/health')).toBeUndefined();
      expect(strict.refusalOfUrl('https://8.8.8.8/')).toBeUndefined();
      expect(privateAllowed.refusalOfUrl('http://10.0.0.1/')).toBeUndefined();
    });

    it('refuses what is not a URL', () => {
      expect(strict.refusalOfUrl('not a url')?.rule).toMatch(/not a valid URL/);
    });
  });
});
