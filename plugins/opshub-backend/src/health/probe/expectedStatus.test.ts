import { parseExpectedStatus, validateExpectedStatus } from './expectedStatus';

describe('expectedStatus', () => {
  it('accepts a range, a code and a list with spaces', () => {
    const range = parseExpectedStatus('200-299');
    expect([199, 200, 250, 299, 300].map(range)).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
    expect([200, 201].map(parseExpectedStatus('200'))).toEqual([true, false]);
    const list = parseExpectedStatus(' 200 , 204,301 - 302 ');
    expect([200, 204, 205, 301, 302, 303].map(list)).toEqual([
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['abc', /"abc" is not a code/],
    ['200-', /is not a code/],
    ['200,,204', /"" is not a code/],
    ['2000', /is not a code/],
    ['99', /is not a code/],
    ['099', /099|99 is not between/],
    ['600', /600 is not between 100 and 599/],
    ['200-700', /700 is not between/],
    ['299-200', /299-200 ends before it starts/],
    ['200;204', /is not a code/],
  ])('refuses %j', (spec, message) => {
    expect(validateExpectedStatus(spec)).toMatch(message);
    expect(() => parseExpectedStatus(spec)).toThrow(message);
  });

  it('says nothing of valid specs', () => {
    for (const spec of ['100-599', '200', '200,204,301-302', '418']) {
      expect(validateExpectedStatus(spec)).toBeUndefined();
    }
  });
});
