import { DEPLOY_ERROR_CLASSES } from '@opshub/plugin-opshub-common';
import { PERCENTILES } from './deployEventSql';

/** daily_deploy_stats' key: one row per entity, class and day. */
export const STATS_KEY = 'entity_ref, environment_class, day';

/** daily_deploy_stats' columns besides its key. */
export const STAT_COLUMNS = [
  'total',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
  ...PERCENTILES.map(p => `total_p${p}_ms`),
  ...PERCENTILES.map(p => `build_p${p}_ms`),
  'error_classes',
  'computed_at',
];

/** The percentile columns, in STAT_COLUMNS' order. */
export const PERCENTILE_COLUMNS = [
  ...PERCENTILES.map(p => `total_p${p}_ms`),
  ...PERCENTILES.map(p => `build_p${p}_ms`),
].join(', ');

/**
 * `{"build":2,"timeout":1}` from the per-class counts `ec_<i>` (classes
 * without a failure left out), in the taxonomy's order; `{}` without any.
 */
export const errorClassesJson = () =>
  `'{' || rtrim(${DEPLOY_ERROR_CLASSES.map(
    (c, i) =>
      `CASE WHEN ec_${i} > 0 THEN '"${c}":' || ec_${i} || ',' ELSE '' END`,
  ).join(' || ')}, ',') || '}'`;
