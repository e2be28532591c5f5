import {
  HEALTH_ERROR_CLASSES,
  PROBE_OUTCOMES,
} from '@opshub/plugin-opshub-common';
import {
  FAILURE_CODE,
  errorClassFromCode,
  errorClassToCode,
  outcomeFromCode,
  outcomeToCode,
} from './sampleCodes';

describe('sampleCodes', () => {
  it('stores outcomes as their index: 0 success, 1 degraded, 2 failure', () => {
    expect(PROBE_OUTCOMES.map(outcomeToCode)).toEqual([0, 1, 2]);
    expect(outcomeToCode('failure')).toBe(FAILURE_CODE);
    expect([0, 1, 2].map(outcomeFromCode)).toEqual([
      'success',
      'degraded',
      'failure',
    ]);
    // PostgreSQL may hand a smallint back as text through raw queries.
    expect(outcomeFromCode('1')).toBe('degraded');
  });

  it('stores error classes as their index and null as null', () => {
    expect(HEALTH_ERROR_CLASSES.map(errorClassToCode)).toEqual([
      0, 1, 2, 3, 4, 5, 6,
    ]);
    expect(errorClassToCode('timeout')).toBe(0);
    expect(errorClassToCode('blocked')).toBe(6);
    expect(errorClassToCode(null)).toBeNull();
    expect(errorClassFromCode(null)).toBeNull();
    for (const errorClass of HEALTH_ERROR_CLASSES) {
      expect(errorClassFromCode(errorClassToCode(errorClass))).toBe(errorClass);
    }
  });

  it('refuses what it does not know instead of storing a wrong code', () => {
    expect(() => outcomeToCode('fine' as never)).toThrow(
      'Unknown probe outcome',
    );
    expect(() => outcomeFromCode(3)).toThrow('Unknown outcome code 3');
    expect(() => errorClassToCode('teapot' as never)).toThrow(
      'Unknown error class teapot',
    );
    expect(() => errorClassFromCode(7)).toThrow('Unknown error class code 7');
  });
});
