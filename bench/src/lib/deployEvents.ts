import type { Knex } from 'knex';

export const DAY_MS = 86_400_000;

/** `component:default/bench-p5-<n>`: the bench's entities, 0 the busiest. */
export const benchEntityRef = (n: number) => `component:default/bench-p5-${n}`;

export const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export interface DeployEventsShape {
  events: number;
  entities: number;
  /** Midnight UTC of the first day, in ms. */
  firstDayMs: number;
  days: number;
  /** Day indexes with no event at all (holidays); their events move 3 days back. */
  emptyDays?: number[];
  /** Weekends get about half the deploys of a weekday. */
  weekendDip?: boolean;
  /** Every tenth entity (9, 19, ...) deploys only in the last 120 days. */
  lateStarters?: boolean;
  /** Queued times within the first `dayFraction` of their day (today's events). */
  dayFraction?: number;
  /** `updated_at` of every event; by default its `finished_at`. */
  updatedAtNow?: boolean;
  /** Seeds `random()` so a run loads the same events. */
  seed: number;
}

/**
 * Inserts generated deploy events in one statement (generate_series, no
 * round trip per row), in queued order as they would arrive:
 *
 * - entities: `n = floor(entities * r^3)`, entity 0 the busiest, the
 *   least busy a few deploys a day; with `lateStarters`, one in ten only in
 *   the last 120 days (empty before);
 * - 70 % previews (vercel, netlify rounding times to whole seconds, mock
 *   without a start time), 30 % GitHub production deployments
 *   (`production`, one in five `prod-eu`);
 * - outcomes 86 % succeeded, 7 % failed (a class of the taxonomy each),
 *   3 % cancelled, 4 % superseded;
 * - queue time 0.5 s plus an exponential tail; build time log-normal
 *   (median 60 s for previews, 180 s for production), one in fifty 3x to
 *   13x longer; failed, cancelled and superseded deploys end part way.
 */
export async function insertDeployEvents(
  db: Knex,
  shape: DeployEventsShape,
): Promise<void> {
  const {
    events,
    entities,
    firstDayMs,
    days,
    emptyDays = [],
    weekendDip = false,
    lateStarters = false,
    dayFraction = 1,
    updatedAtNow = false,
    seed,
  } = shape;
  await db.transaction(async tx => {
    await tx.raw('SELECT setseed(?)', [seed]);
    await tx.raw(
      `
WITH r AS (
  SELECT i,
         floor(:entities::int * power(random(), 3))::int AS e,
         floor(random() * :days::int)::int AS d0,
         random() AS r_day, random() AS r_time, random() AS r_class,
         random() AS r_outcome, random() AS r_err, random() AS r_queue,
         random() AS r_u1, random() AS r_u2, random() AS r_tail,
         random() AS r_provider, random() AS r_env
    FROM generate_series(1, :events::int) AS i
), active AS (
  SELECT r.*,
         CASE WHEN :lateStarters::boolean AND e % 10 = 9 AND :days::int > 120
              THEN :days::int - 120 + d0 % 120 ELSE d0 END AS d1
    FROM r
), weekday AS (
  SELECT active.*,
         extract(isodow FROM to_timestamp((:firstDayMs::bigint + d1 * ${DAY_MS}::bigint) / 1000.0)
                 AT TIME ZONE 'UTC')::int AS dow
    FROM active
), placed AS (
  SELECT weekday.*,
         CASE WHEN :weekendDip::boolean AND dow >= 6 AND r_day < 0.5 AND d1 - (dow - 5) >= 0
              THEN d1 - (dow - 5) ELSE d1 END AS d2
    FROM weekday
), sized AS (
  SELECT placed.*,
         CASE WHEN d2 = ANY(:emptyDays::int[]) THEN d2 - 3 ELSE d2 END AS d,
         CASE WHEN r_class < 0.7 THEN 'preview' ELSE 'production' END AS class,
         CASE WHEN r_class >= 0.7 THEN 'github'
              WHEN r_provider < 0.55 THEN 'vercel'
              WHEN r_provider < 0.9 THEN 'netlify' ELSE 'mock' END AS provider,
         CASE WHEN r_outcome < 0.86 THEN 'succeeded'
              WHEN r_outcome < 0.93 THEN 'failed'
              WHEN r_outcome < 0.96 THEN 'cancelled' ELSE 'superseded' END AS outcome,
         floor(500 + -ln(1 - r_queue) * CASE WHEN r_class < 0.7 THEN 4000 ELSE 15000 END)::bigint AS queue_ms,
         (CASE WHEN r_class < 0.7 THEN 60000 ELSE 180000 END
           * exp(0.5 * sqrt(-2 * ln(1 - r_u1)) * cos(2 * pi() * r_u2))
           * CASE WHEN r_tail < 0.02 THEN 3 + r_tail * 500 ELSE 1 END) AS build_raw
    FROM placed
), timed AS (
  SELECT sized.*,
         :firstDayMs::bigint + d * ${DAY_MS}::bigint
           + floor(r_time * :dayFraction::float8 * ${DAY_MS})::bigint AS queued_ms,
         CASE WHEN provider = 'netlify'
              THEN round(build_raw * part / 1000) * 1000
              ELSE floor(build_raw * part) END::bigint AS build_ms
    FROM sized,
         LATERAL (SELECT CASE outcome WHEN 'succeeded' THEN 1 WHEN 'failed' THEN 0.6
                                      WHEN 'cancelled' THEN 0.3 ELSE 0.5 END AS part) p
)
INSERT INTO deploy_events
  (entity_ref, environment, environment_class, source, provider, repository,
   head_sha, pr_number, preview_id, deployment_id, url, queued_at, started_at,
   finished_at, outcome, error_code, error_class, updated_at)
SELECT 'component:default/bench-p5-' || e,
       CASE WHEN class = 'preview' THEN 'preview'
            WHEN r_env < 0.2 THEN 'prod-eu' ELSE 'production' END,
       class,
       CASE WHEN class = 'preview' THEN 'preview' ELSE 'github' END,
       provider,
       'acme/bench-p5-' || e,
       md5(:seed::text || '/' || i),
       CASE WHEN class = 'preview' THEN 1 + (i / 7) % 5000 END,
       CASE WHEN class = 'preview' THEN e * 100000 + (i / 7) % 5000 END,
       CASE WHEN class = 'preview' THEN 'dpl_' || :seed::text || '_' || i ELSE :seed::text || '-' || i END,
       CASE WHEN class = 'preview' THEN 'https://' || provider || '.example.test/dpl/' || i END,
       to_timestamp(queued_ms / 1000.0),
       CASE WHEN provider <> 'mock' THEN to_timestamp((queued_ms + queue_ms) / 1000.0) END,
       to_timestamp((queued_ms + queue_ms + build_ms) / 1000.0),
       outcome,
       CASE WHEN outcome = 'failed' THEN
         CASE WHEN r_err < 0.45 THEN 'BUILD_FAILED' WHEN r_err < 0.60 THEN 'CONFIG_INVALID'
              WHEN r_err < 0.65 THEN 'QUOTA_EXCEEDED' WHEN r_err < 0.71 THEN 'PROVIDER_5XX'
              WHEN r_err < 0.81 THEN 'DEADLINE' WHEN r_err < 0.85 THEN 'CANCELED_BY_PROVIDER'
              WHEN r_err < 0.90 THEN 'NO_PROGRESS' ELSE 'E_' || (i % 97) END END,
       CASE WHEN outcome = 'failed' THEN
         CASE WHEN r_err < 0.45 THEN 'build' WHEN r_err < 0.60 THEN 'configuration'
              WHEN r_err < 0.65 THEN 'quota' WHEN r_err < 0.71 THEN 'provider-outage'
              WHEN r_err < 0.81 THEN 'timeout' WHEN r_err < 0.85 THEN 'cancelled'
              WHEN r_err < 0.90 THEN 'stuck' ELSE 'unknown' END END,
       CASE WHEN :updatedAtNow::boolean THEN now()
            ELSE to_timestamp((queued_ms + queue_ms + build_ms) / 1000.0) END
  FROM timed
 ORDER BY queued_ms`,
      {
        events,
        entities,
        days,
        firstDayMs,
        emptyDays: `{${emptyDays.join(',')}}`,
        weekendDip,
        lateStarters,
        dayFraction,
        updatedAtNow,
        seed,
      },
    );
  });
}
