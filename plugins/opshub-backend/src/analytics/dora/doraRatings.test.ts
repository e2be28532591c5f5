import {
  rateChangeFailureRate,
  rateDeploymentFrequency,
  rateLeadTime,
  rateRecoveryTime,
} from './doraRatings';

const MINUTE_IN_HOURS = 1 / 60;
const SECOND_IN_HOURS = 1 / 3600;

describe('rateDeploymentFrequency', () => {
  it.each`
    perWeek | perMonth | rating
    ${0}    | ${0}     | ${'low'}
    ${0}    | ${0.5}   | ${'low'}
    ${0}    | ${1}     | ${'medium'}
    ${0}    | ${3}     | ${'medium'}
    ${0.5}  | ${0}     | ${'low'}
    ${0.5}  | ${2}     | ${'medium'}
    ${1}    | ${0}     | ${'high'}
    ${1}    | ${4}     | ${'high'}
    ${1.5}  | ${6}     | ${'high'}
    ${4}    | ${17}    | ${'high'}
    ${4.5}  | ${20}    | ${'high'}
    ${5}    | ${0}     | ${'elite'}
    ${5}    | ${22}    | ${'elite'}
    ${5.5}  | ${24}    | ${'elite'}
    ${7}    | ${31}    | ${'elite'}
    ${1e9}  | ${1e9}   | ${'elite'}
  `(
    'rates a median of $perWeek days a week and $perMonth a month $rating',
    ({ perWeek, perMonth, rating }) => {
      expect(rateDeploymentFrequency(perWeek, perMonth)).toBe(rating);
    },
  );
});

describe('rateLeadTime', () => {
  it.each`
    hours                        | rating
    ${0}                         | ${'elite'}
    ${1}                         | ${'elite'}
    ${24 - SECOND_IN_HOURS}      | ${'elite'}
    ${24}                        | ${'high'}
    ${24 + MINUTE_IN_HOURS}      | ${'high'}
    ${7 * 24 - MINUTE_IN_HOURS}  | ${'high'}
    ${7 * 24}                    | ${'medium'}
    ${7 * 24 + MINUTE_IN_HOURS}  | ${'medium'}
    ${30 * 24 - MINUTE_IN_HOURS} | ${'medium'}
    ${30 * 24}                   | ${'low'}
    ${30 * 24 + MINUTE_IN_HOURS} | ${'low'}
    ${Number.MAX_SAFE_INTEGER}   | ${'low'}
  `('rates a median of $hours hours $rating', ({ hours, rating }) => {
    expect(rateLeadTime(hours)).toBe(rating);
  });
});

describe('rateRecoveryTime', () => {
  it.each`
    hours                       | rating
    ${0}                        | ${'elite'}
    ${1 - SECOND_IN_HOURS}      | ${'elite'}
    ${1}                        | ${'high'}
    ${1 + MINUTE_IN_HOURS}      | ${'high'}
    ${24 - MINUTE_IN_HOURS}     | ${'high'}
    ${24}                       | ${'medium'}
    ${24 + MINUTE_IN_HOURS}     | ${'medium'}
    ${7 * 24 - MINUTE_IN_HOURS} | ${'medium'}
    ${7 * 24}                   | ${'low'}
    ${7 * 24 + MINUTE_IN_HOURS} | ${'low'}
    ${Number.MAX_SAFE_INTEGER}  | ${'low'}
  `('rates a median of $hours hours $rating', ({ hours, rating }) => {
    expect(rateRecoveryTime(hours)).toBe(rating);
  });
});

describe('rateChangeFailureRate', () => {
  it.each`
    label                           | rate               | rating
    ${'0'}                          | ${0}               | ${'elite'}
    ${'1/21'}                       | ${1 / 21}          | ${'elite'}
    ${'0.05'}                       | ${0.05}            | ${'elite'}
    ${'1/20'}                       | ${1 / 20}          | ${'elite'}
    ${'5/100'}                      | ${5 / 100}         | ${'elite'}
    ${'0.01 * 5'}                   | ${0.01 * 5}        | ${'elite'}
    ${'1/19'}                       | ${1 / 19}          | ${'high'}
    ${'501/10000'}                  | ${501 / 10000}     | ${'high'}
    ${'0.1'}                        | ${0.1}             | ${'high'}
    ${'1/10'}                       | ${1 / 10}          | ${'high'}
    ${'0.1 + 0.2 - 0.2'}            | ${0.1 + 0.2 - 0.2} | ${'high'}
    ${'3 * 0.1 / 3'}                | ${(3 * 0.1) / 3}   | ${'high'}
    ${'1/9'}                        | ${1 / 9}           | ${'medium'}
    ${'0.15'}                       | ${0.15}            | ${'medium'}
    ${'3/20'}                       | ${3 / 20}          | ${'medium'}
    ${'0.05 * 3'}                   | ${0.05 * 3}        | ${'medium'}
    ${'15 * 0.01'}                  | ${15 * 0.01}       | ${'medium'}
    ${'1001/6666 (just above .15)'} | ${1001 / 6666}     | ${'low'}
    ${'2/13'}                       | ${2 / 13}          | ${'low'}
    ${'1/2'}                        | ${1 / 2}           | ${'low'}
    ${'1'}                          | ${1}               | ${'low'}
  `('rates $label $rating', ({ rate, rating }) => {
    expect(rateChangeFailureRate(rate)).toBe(rating);
  });

  it('rates a rate one deploy above a threshold in a billion deploys above it', () => {
    const deploys = 1e9;
    expect(rateChangeFailureRate((deploys / 20 + 1) / deploys)).toBe('high');
    expect(rateChangeFailureRate((deploys / 10 + 1) / deploys)).toBe('medium');
    expect(rateChangeFailureRate(((3 * deploys) / 20 + 1) / deploys)).toBe(
      'low',
    );
  });
});

describe('invalid measures', () => {
  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY])('refuses %p', value => {
    expect(() => rateLeadTime(value)).toThrow(RangeError);
    expect(() => rateRecoveryTime(value)).toThrow(RangeError);
    expect(() => rateChangeFailureRate(value)).toThrow(RangeError);
    expect(() => rateDeploymentFrequency(value, 1)).toThrow(RangeError);
    expect(() => rateDeploymentFrequency(1, value)).toThrow(RangeError);
  });

  it('refuses a change failure rate above 1', () => {
    expect(() => rateChangeFailureRate(1.5)).toThrow(RangeError);
  });
});
