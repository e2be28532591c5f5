import {
  jsonValueEquals,
  parseJsonPath,
  validateJsonPath,
  valueAt,
} from './jsonPath';

describe('jsonPath', () => {
  const doc = {
    status: 'up',
    'odd key': { "it's": 1 },
    items: [{ name: 'a' }, { name: 'b', ok: true, none: null }],
    count: 0,
  };

  it('parses dot keys, quoted keys and indexes', () => {
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath(`$.items[1]['name']["x"]`)).toEqual([
      'items',
      1,
      'name',
      'x',
    ]);
    expect(parseJsonPath(`$['it\\'s']`)).toEqual(["it's"]);
  });

  it('reads the value at a path', () => {
    expect(valueAt(doc, '$.status')).toEqual({ found: true, value: 'up' });
    expect(valueAt(doc, '$.items[1].name')).toEqual({
      found: true,
      value: 'b',
    });
    expect(valueAt(doc, '$.items[1].none')).toEqual({
      found: true,
      value: null,
    });
    expect(valueAt(doc, `$['odd key']["it's"]`)).toEqual({
      found: true,
      value: 1,
    });
    expect(valueAt(doc, '$')).toEqual({ found: true, value: doc });
  });

  it('reports missing steps and never follows inherited members', () => {
    expect(valueAt(doc, '$.missing')).toEqual({ found: false });
    expect(valueAt(doc, '$.items[2]')).toEqual({ found: false });
    expect(valueAt(doc, '$.status.length')).toEqual({ found: false });
    expect(valueAt(doc, '$.items.length')).toEqual({ found: false });
    expect(valueAt(doc, '$.__proto__')).toEqual({ found: false });
    expect(valueAt(doc, '$.constructor')).toEqual({ found: false });
    expect(valueAt(doc, '$.items[0]')).toEqual({
      found: true,
      value: { name: 'a' },
    });
    expect(valueAt(doc, '$.status[0]')).toEqual({ found: false });
  });

  it.each([
    ['', /must start with \$/],
    ['status', /must start with \$/],
    ['$.', /no key after "\."/],
    ['$..status', /no key after "\."/],
    ['$.items[*]', /unsupported step/],
    ['$.items[-1]', /unsupported step/],
    ['$.items[01]', /unsupported step/],
    ["$['open", /unsupported step/],
    ['$[?(@.a)]', /unsupported step/],
    [`$.a${'.b'.repeat(300)}`, /longer than 500/],
  ])('refuses %j', (path, message) => {
    expect(validateJsonPath(path)).toMatch(message);
    expect(() => valueAt(doc, path)).toThrow(message);
  });

  it('accepts supported paths', () => {
    for (const path of ['$', '$.a', '$.a_b-c[0]', "$['a b']", '$[3].$x']) {
      expect(validateJsonPath(path)).toBeUndefined();
    }
  });

  it('compares JSON values strictly', () => {
    expect(jsonValueEquals('up', 'up')).toBe(true);
    expect(jsonValueEquals('1', 1)).toBe(false);
    expect(jsonValueEquals(1, 1)).toBe(true);
    expect(jsonValueEquals(0, false)).toBe(false);
    expect(jsonValueEquals(null, null)).toBe(true);
    expect(jsonValueEquals(undefined, null)).toBe(false);
    expect(jsonValueEquals({}, 'up')).toBe(false);
    expect(jsonValueEquals(true, true)).toBe(true);
  });
});
