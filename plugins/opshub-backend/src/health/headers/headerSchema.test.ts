import { envReferences, headersSchema, isSecretHeader } from './headerSchema';

const issues = (headers: Record<string, string>) => {
  const parsed = headersSchema.safeParse(headers);
  return parsed.success ? [] : parsed.error.issues.map(i => i.message);
};

describe('headersSchema', () => {
  it('takes plain headers and secret ones that reference a variable', () => {
    expect(
      issues({
        Accept: 'application/json',
        'X-Tenant': 'storefront',
        Authorization: 'Bearer ${env:API_TOKEN}',
        'X-Api-Key': '${env:KEY}',
        Cookie: 'session=${env:SESSION}',
      }),
    ).toEqual([]);
  });

  it('refuses a credential written as plain text', () => {
    expect(issues({ Authorization: 'Bearer abc123' })).toEqual([
      'Authorization carries a credential: reference an encrypted variable of the entity, e.g. "Bearer ${env:API_TOKEN}"',
    ]);
    expect(issues({ 'X-Auth-Token': 'abc' })).toHaveLength(1);
    expect(issues({ 'Proxy-Authorization': 'Basic abc' })).toHaveLength(1);
  });

  it('refuses reserved, invalid and repeated names', () => {
    expect(issues({ Host: 'a' })).toEqual(['Host is set by OpsHub']);
    expect(issues({ 'Content-Length': '1' })).toEqual([
      'Content-Length is set by OpsHub',
    ]);
    expect(issues({ 'Bad Name': 'a' })).toEqual([
      '"Bad Name" is not a header name',
    ]);
    expect(issues({ 'X-A': '1', 'x-a': '2' })).toEqual(['x-a is given twice']);
  });

  it('refuses line breaks and control characters in values', () => {
    for (const value of ['a\r\nX-Injected: 1', 'a\nb', 'a\u0000', 'a\u007f']) {
      expect(issues({ 'X-A': value })).toEqual([
        'X-A: line breaks and control characters are not allowed',
      ]);
    }
    expect(issues({ 'X-A': 'tab\tand spaces, ümlaut' })).toEqual([]);
  });

  it('takes at most 20 headers', () => {
    const many = Object.fromEntries(
      Array.from({ length: 21 }, (_, n) => [`X-H${n}`, 'v']),
    );
    expect(issues(many)).toEqual(['at most 20 headers']);
  });
});

describe('isSecretHeader and envReferences', () => {
  it('knows credential headers by name', () => {
    for (const name of ['Authorization', 'cookie', 'X-API-Key', 'X-Session']) {
      expect(isSecretHeader(name)).toBe(true);
    }
    for (const name of ['Accept', 'X-Tenant', 'User-Agent']) {
      expect(isSecretHeader(name)).toBe(false);
    }
  });

  it('lists the variables a value references', () => {
    expect(
      envReferences('${env:A} and ${env:B_2}, not ${env:1x} or $env:C'),
    ).toEqual(['A', 'B_2']);
  });
});
