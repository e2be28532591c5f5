import { formatDotenv, parseDotenv } from './dotenv';
import { maskValue } from './mask';

describe('parseDotenv', () => {
  it('reads bare, quoted and exported values, skipping comments', () => {
    const { entries, errors } = parseDotenv(
      [
        '\uFEFF# header',
        '',
        'A=plain # comment',
        "export B='single # kept'",
        'C="line\\nbreak \\"q\\" \\$X"',
        'D=',
        'E = spaced ',
      ].join('\r\n'),
    );
    expect(errors).toEqual([]);
    expect(entries.map(e => [e.line, e.name, e.value])).toEqual([
      [3, 'A', 'plain'],
      [4, 'B', 'single # kept'],
      [5, 'C', 'line\nbreak "q" $X'],
      [6, 'D', ''],
      [7, 'E', 'spaced'],
    ]);
  });

  it('names the line and the variable of each error, never the value', () => {
    const { errors } = parseDotenv(
      'a=secret-one\nB="unterminated secret-two\nC\nD=1\nD=2',
    );
    expect(errors).toEqual([
      { line: 1, name: 'a', reason: expect.stringMatching(/^name must/) },
      { line: 2, name: 'B', reason: 'unterminated quoted value' },
      { line: 3, name: 'C', reason: 'expected NAME=value' },
      { line: 5, name: 'D', reason: 'already set on line 4' },
    ]);
    expect(JSON.stringify(errors)).not.toMatch(/secret-/);
  });

  it('reads back exactly what formatDotenv writes', () => {
    const values = [
      'simple',
      '',
      ' leading and trailing ',
      'q"uo\'te',
      '#hash',
      'back\\slash $VAR ${X}',
      'multi\nline\r\ttab',
      'ünïcødé ✓',
    ];
    const text = formatDotenv(
      values.map((value, i) => ({ name: `V${i}`, value, sensitive: false })),
    );
    expect(parseDotenv(text).entries.map(e => e.value)).toEqual(values);
    expect(
      formatDotenv([{ name: 'S', value: 'x', sensitive: true }], ['head']),
    ).toBe('# head\n# S (sensitive, not exported)\n');
  });
});

describe('maskValue', () => {
  it('shows the last 4 characters of 12 or more, nothing otherwise', () => {
    expect(maskValue('12345678901', false)).toBe('••••');
    expect(maskValue('123456789012', false)).toBe('••••9012');
    expect(maskValue('123456789012', true)).toBe('••••');
    expect(maskValue('', false)).toBe('••••');
  });
});
