import {
  type DeployEventFixture,
  MINUTE,
  SECOND,
  succeeded,
} from './deployEvents';

/**
 * One day (2026-11-10) of every kind of deploy, and by hand:
 * all: 7 deploys; succeeded 3 (total 61 s, 122 s, 300 s; build 60 s,
 * 120 s, and one without a start), failed 1, cancelled 1, superseded 1
 * (finished after 2 h: in no percentile), 1 running; success rate 3/5.
 * Total time n=3: P50 = 2nd = 122 s, P95 = P99 = 3rd = 300 s; build time
 * n=2: P50 = 1st = 60 s, P95 = P99 = 2nd = 120 s.
 * production: A, the running and the failed deploy; preview: the rest.
 */
export const MIXED_DAY = '2026-11-10';
const t = (time: string) => Date.parse(`${MIXED_DAY}T${time}Z`);

export const mixedDay = (
  extra: Partial<DeployEventFixture> = {},
): DeployEventFixture[] => [
  { ...succeeded(t('10:00:00'), 60 * SECOND), ...extra },
  {
    ...succeeded(t('11:00:00'), 120 * SECOND, 2 * SECOND),
    environmentClass: 'preview',
    ...extra,
  },
  {
    queuedAt: t('12:00:00'),
    finishedAt: t('12:05:00'),
    outcome: 'succeeded',
    environmentClass: 'preview',
    ...extra,
  },
  {
    queuedAt: t('13:00:00'),
    startedAt: t('13:00:01'),
    finishedAt: t('15:00:00'),
    outcome: 'superseded',
    environmentClass: 'preview',
    ...extra,
  },
  {
    queuedAt: t('14:00:00'),
    startedAt: t('14:00:01'),
    outcome: null,
    ...extra,
  },
  {
    queuedAt: t('09:00:00'),
    startedAt: t('09:00:01'),
    finishedAt: t('09:03:00'),
    outcome: 'failed',
    errorClass: 'build',
    ...extra,
  },
  {
    queuedAt: t('08:00:00'),
    startedAt: t('08:00:01'),
    finishedAt: t('08:00:00') + MINUTE,
    outcome: 'cancelled',
    errorClass: 'cancelled',
    environmentClass: 'preview',
    ...extra,
  },
];
