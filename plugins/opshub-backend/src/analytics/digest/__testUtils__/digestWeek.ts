import type { Knex } from 'knex';
import {
  type DeployEventFixture,
  insertDeployEvents,
  MINUTE,
  SECOND,
  succeeded,
} from '../../metrics/__testUtils__/deployEvents';
import type { WeeklyDigestPayload } from '../types';
import type { WeeklyDigest } from '../weeklyDigest';

const HOUR = 60 * MINUTE;

export const DIGEST_ENTITY = 'component:default/shop';

/** The Monday 09:00 UTC run of the week 2026-11-30 (Mon) – 2026-12-06 (Sun). */
export const WEEK: WeeklyDigestPayload = {
  entityRef: DIGEST_ENTITY,
  runAt: '2026-12-07T09:00:00.000Z',
  from: '2026-11-30',
  to: '2026-12-06',
};

const failed = (queuedAt: string, errorClass: string): DeployEventFixture => ({
  queuedAt,
  startedAt: Date.parse(queuedAt) + SECOND,
  finishedAt: Date.parse(queuedAt) + MINUTE,
  outcome: 'failed',
  errorClass,
});

/** A succeeded deploy taking `minutes` in all (1 s queued). */
const took = (queuedAt: string, minutes: number) =>
  succeeded(queuedAt, minutes * MINUTE - SECOND);

/**
 * The week's deploys: 4 succeeded (5, 3, 2 and 1 min: P95 5 min) and 5
 * failed (build ×2, configuration, quota, timeout); the week before, one of
 * 4 min; one a week in the two weeks before that (DORA's 4 weeks).
 */
export const DEPLOYS: DeployEventFixture[] = [
  took('2026-11-10T10:00:00Z', 2),
  took('2026-11-17T10:00:00Z', 2),
  took('2026-11-24T10:00:00Z', 4),
  took('2026-11-30T10:00:00Z', 5),
  took('2026-12-01T10:00:00Z', 3),
  failed('2026-12-02T10:00:00Z', 'build'),
  failed('2026-12-03T10:00:00Z', 'build'),
  failed('2026-12-03T11:00:00Z', 'timeout'),
  failed('2026-12-04T10:00:00Z', 'quota'),
  failed('2026-12-04T11:00:00Z', 'configuration'),
  took('2026-12-05T10:00:00Z', 2),
  took('2026-12-06T10:00:00Z', 1),
].map(d => ({ ...d, entityRef: DIGEST_ENTITY }));

/** A health check of the entity; returns its id. */
export async function insertCheck(
  knex: Knex,
  check: { name: string; source?: 'api' | 'preview'; entityRef?: string },
): Promise<number> {
  const now = new Date('2026-11-01T00:00:00Z');
  const [row] = await knex('health_checks')
    .insert({
      entity_ref: check.entityRef ?? DIGEST_ENTITY,
      name: check.name,
      source: check.source ?? 'api',
      url: 'https://shop.example.com/healthz',
      method: 'GET',
      expected_status: '200-299',
      timeout_ms: 5000,
      interval_ms: 60_000,
      failure_threshold: 2,
      recovery_threshold: 2,
      enabled: true,
      created_by: 'user:default/alice',
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  return Number(row.id ?? row);
}

export async function insertIncident(
  knex: Knex,
  checkId: number,
  incident: {
    state: 'down' | 'degraded';
    openedAt: string;
    closedAt: string | null;
    entityRef?: string;
  },
): Promise<void> {
  await knex('health_incidents').insert({
    check_id: checkId,
    entity_ref: incident.entityRef ?? DIGEST_ENTITY,
    state: incident.state,
    opened_at: new Date(incident.openedAt),
    closed_at: incident.closedAt === null ? null : new Date(incident.closedAt),
  });
}

/**
 * The week's fixture: DEPLOYS, and incidents of three checks (one of them
 * named with `<`, `>` and `&`) and of a preview check:
 * - down 12-06 20:00, closed after the run (09:00 the next day): 13 h, open;
 * - down 12-01 12:00 – 14:05: 2 h 5 min (after the 12-01 deploy);
 * - degraded 11-29 23:00 – 11-30 02:00 (began the week before): 3 h;
 * - degraded 12-02 08:00 – 09:00, and 12-05 10:00 – 10:10: shorter;
 * - left out: one of the preview check, one closed the week before, one
 *   opened after the week.
 */
export async function insertDigestWeek(knex: Knex): Promise<void> {
  await insertDeployEvents(knex, DEPLOYS);
  const home = await insertCheck(knex, { name: 'home' });
  const checkout = await insertCheck(knex, { name: 'checkout <v2> & co' });
  const preview = await insertCheck(knex, {
    name: 'preview #7',
    source: 'preview',
  });
  const incidents: [number, Parameters<typeof insertIncident>[2]][] = [
    [
      home,
      {
        state: 'degraded',
        openedAt: '2026-11-20T10:00:00Z',
        closedAt: '2026-11-21T10:00:00Z',
      },
    ],
    [
      checkout,
      {
        state: 'degraded',
        openedAt: '2026-11-29T23:00:00Z',
        closedAt: '2026-11-30T02:00:00Z',
      },
    ],
    [
      home,
      {
        state: 'down',
        openedAt: '2026-12-01T12:00:00Z',
        closedAt: '2026-12-01T14:05:00Z',
      },
    ],
    [
      checkout,
      {
        state: 'degraded',
        openedAt: '2026-12-02T08:00:00Z',
        closedAt: '2026-12-02T09:00:00Z',
      },
    ],
    [
      preview,
      {
        state: 'down',
        openedAt: '2026-12-03T08:00:00Z',
        closedAt: '2026-12-04T08:00:00Z',
      },
    ],
    [
      home,
      {
        state: 'degraded',
        openedAt: '2026-12-05T10:00:00Z',
        closedAt: '2026-12-05T10:10:00Z',
      },
    ],
    [
      checkout,
      {
        state: 'down',
        openedAt: '2026-12-06T20:00:00Z',
        closedAt: '2026-12-07T10:00:00Z',
      },
    ],
    [home, { state: 'down', openedAt: '2026-12-07T01:00:00Z', closedAt: null }],
  ];
  for (const [checkId, incident] of incidents) {
    await insertIncident(knex, checkId, incident);
  }
}

/** The digest of the fixture week (insertDigestWeek). */
export const FIXTURE_DIGEST: WeeklyDigest = {
  entityRef: DIGEST_ENTITY,
  from: '2026-11-30',
  to: '2026-12-06',
  deploys: 9,
  successRate: 4 / 9,
  totalTimeP95Ms: { week: 5 * MINUTE, previousWeek: 4 * MINUTE },
  topErrorClasses: [
    { class: 'build', count: 2 },
    { class: 'configuration', count: 1 },
    { class: 'quota', count: 1 },
  ],
  dora: {
    window: { from: '2026-11-09', to: '2026-12-06' },
    keys: {
      // Deploys on 1, 1, 1 and 4 days of the 4 weeks: a median of 1.
      deploymentFrequency: { rating: 'high', reason: null },
      leadTimeForChanges: { rating: null, reason: 'no-deployed-changes' },
      // 2 of 7 deploys were followed by a down incident.
      changeFailureRate: { rating: 'low', reason: null },
      // 12-01 deploy finished 10:03, its incident closed 14:05.
      recoveryTime: { rating: 'high', reason: null },
    },
  },
  worstIncidents: [
    {
      checkName: 'checkout <v2> & co',
      state: 'down',
      openedAt: '2026-12-06T20:00:00.000Z',
      durationMs: 13 * HOUR,
      open: true,
    },
    {
      checkName: 'home',
      state: 'down',
      openedAt: '2026-12-01T12:00:00.000Z',
      durationMs: 2 * HOUR + 5 * MINUTE,
      open: false,
    },
    {
      checkName: 'checkout <v2> & co',
      state: 'degraded',
      openedAt: '2026-11-29T23:00:00.000Z',
      durationMs: 3 * HOUR,
      open: false,
    },
  ],
};
