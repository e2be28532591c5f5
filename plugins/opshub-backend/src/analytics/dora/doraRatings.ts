import {
  DORA_RATINGS,
  type OpsHubDoraRating,
} from '@opshub/plugin-opshub-common';

/*
 * DORA ratings by the 2023 report's thresholds, as Apache DevLake's DORA
 * dashboards rate them (the `dora_report = '2023'` branch of the SQL in
 * apache/incubator-devlake grafana/dashboards/DORA.json and DORADetails-*.json,
 * read at c3b974668a87 and 15bb7cf310a4; the benchmark rows are
 * backend/plugins/dora/models/migrationscripts/20240223_add_dora_2023_benchmark.go).
 * DevLake measures times in whole minutes and OpsHub in hours: each bound
 * below is the same duration. The backend README compares the two.
 */

const HOUR = 1;
const DAY = 24 * HOUR;

/**
 * Elite deploys on at least this many days in the median week ("daily",
 * "On-demand"). DevLake's SQL said `WHEN
 * median_number_of_deployment_days_per_week >= 7 THEN 'elite'` until
 * apache/devlake#7961 ("fix: polish DORA dashboards", August 2024) lowered
 * it to 5; its DORADetails-DeploymentFrequency.json says "Elite: >= 5 days
 * per week". OpsHub follows the current 5: 7 would ask for weekend deploys.
 */
export const ELITE_MIN_DEPLOY_DAYS_PER_WEEK = 5;
/** High deploys on at least one day in the median week (`>= 1`). */
export const HIGH_MIN_DEPLOY_DAYS_PER_WEEK = 1;
/** Medium deploys on at least one day in the median month (`>= 1`); else low. */
export const MEDIUM_MIN_DEPLOY_DAYS_PER_MONTH = 1;

/** Elite lead time is under one day (`median_change_lead_time < 24 * 60`). */
export const ELITE_MAX_LEAD_TIME_HOURS = DAY;
/** High lead time is under one week (`< 7 * 24 * 60`). */
export const HIGH_MAX_LEAD_TIME_HOURS = 7 * DAY;
/** Medium lead time is under one month (`< 30 * 24 * 60`); else low. */
export const MEDIUM_MAX_LEAD_TIME_HOURS = 30 * DAY;

/** Elite change failure rate is at most 5 % (`change_failure_rate <= .05`). */
export const ELITE_MAX_CHANGE_FAILURE_RATE = 0.05;
/** High change failure rate is at most 10 % (`<= .10`). */
export const HIGH_MAX_CHANGE_FAILURE_RATE = 0.1;
/** Medium change failure rate is at most 15 % (`<= .15`); else low. */
export const MEDIUM_MAX_CHANGE_FAILURE_RATE = 0.15;

/** Elite recovery is under one hour (`median_recovery_time < 60`). */
export const ELITE_MAX_RECOVERY_HOURS = HOUR;
/** High recovery is under one day (`< 24 * 60`). */
export const HIGH_MAX_RECOVERY_HOURS = DAY;
/** Medium recovery is under one week (`< 7 * 24 * 60`); else low. */
export const MEDIUM_MAX_RECOVERY_HOURS = 7 * DAY;

/**
 * A change failure rate is a ratio of deploy counts: any two distinct such
 * ratios with fewer than 10^9 deploys differ by more than 5e-11, while
 * float arithmetic on them errs by about 1e-16. Within this tolerance a rate
 * is its threshold (so 0.1 + 0.2 - 0.2 is 10 %, high, as 1/10 is).
 */
const RATE_TOLERANCE = 1e-12;

function assertMeasure(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  }
}

/**
 * The best rating whose bound the value meets, bounds given best first
 * (elite, high, medium); low when it meets none.
 */
function firstMet(
  meets: (bound: number) => boolean,
  bounds: readonly [number, number, number],
): OpsHubDoraRating {
  const index = bounds.findIndex(meets);
  return DORA_RATINGS[index === -1 ? bounds.length : index];
}

/**
 * Deployment frequency from the median over the window's weeks and months
 * of the days with a successful production deploy. High and elite are
 * judged per week, medium and low per month, as DevLake does.
 */
export function rateDeploymentFrequency(
  medianDeployDaysPerWeek: number,
  medianDeployDaysPerMonth: number,
): OpsHubDoraRating {
  assertMeasure('medianDeployDaysPerWeek', medianDeployDaysPerWeek);
  assertMeasure('medianDeployDaysPerMonth', medianDeployDaysPerMonth);
  if (medianDeployDaysPerWeek >= ELITE_MIN_DEPLOY_DAYS_PER_WEEK) return 'elite';
  if (medianDeployDaysPerWeek >= HIGH_MIN_DEPLOY_DAYS_PER_WEEK) return 'high';
  if (medianDeployDaysPerMonth >= MEDIUM_MIN_DEPLOY_DAYS_PER_MONTH) {
    return 'medium';
  }
  return 'low';
}

/** Lead time for changes from its median in hours (strict bounds). */
export function rateLeadTime(medianHours: number): OpsHubDoraRating {
  assertMeasure('medianHours', medianHours);
  return firstMet(
    bound => medianHours < bound,
    [
      ELITE_MAX_LEAD_TIME_HOURS,
      HIGH_MAX_LEAD_TIME_HOURS,
      MEDIUM_MAX_LEAD_TIME_HOURS,
    ],
  );
}

/** Change failure rate (0..1), each bound included. */
export function rateChangeFailureRate(rate: number): OpsHubDoraRating {
  assertMeasure('rate', rate);
  if (rate > 1 + RATE_TOLERANCE) {
    throw new RangeError(`rate must be at most 1, got ${rate}`);
  }
  return firstMet(
    bound => rate <= bound + RATE_TOLERANCE,
    [
      ELITE_MAX_CHANGE_FAILURE_RATE,
      HIGH_MAX_CHANGE_FAILURE_RATE,
      MEDIUM_MAX_CHANGE_FAILURE_RATE,
    ],
  );
}

/** Failed deployment recovery time from its median in hours (strict bounds). */
export function rateRecoveryTime(medianHours: number): OpsHubDoraRating {
  assertMeasure('medianHours', medianHours);
  return firstMet(
    bound => medianHours < bound,
    [
      ELITE_MAX_RECOVERY_HOURS,
      HIGH_MAX_RECOVERY_HOURS,
      MEDIUM_MAX_RECOVERY_HOURS,
    ],
  );
}
