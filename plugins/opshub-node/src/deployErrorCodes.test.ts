import { deployErrorClassOf } from './deployErrorCodes';

describe('deployErrorClassOf', () => {
  const codes = { BLOCKED: 'configuration', LIMIT: 'quota' } as const;

  it("answers the table's class of a code it holds", () => {
    expect(deployErrorClassOf(codes, 'BLOCKED', 'build')).toBe('configuration');
    expect(deployErrorClassOf(codes, 'LIMIT', 'build')).toBe('quota');
  });

  it('answers the fallback for no code, another code, or an inherited name', () => {
    expect(deployErrorClassOf(codes, undefined, 'build')).toBe('build');
    expect(deployErrorClassOf(codes, 'blocked', 'unknown')).toBe('unknown');
    expect(deployErrorClassOf(codes, 'toString', 'unknown')).toBe('unknown');
  });
});
