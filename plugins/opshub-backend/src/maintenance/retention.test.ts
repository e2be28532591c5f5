import { rebuildDailyDeployStats } from '../analytics/metrics/updateDailyDeployStats';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { SentMessages } from '../notifications/SentMessages';
import { DatabasePreviewStore } from '../previews/DatabasePreviewStore';
import { DatabaseJobStore } from '../queue/DatabaseJobStore';
import { DatabaseDeliveryStore } from '../webhooks/DatabaseDeliveryStore';
import { applyRetention } from './retention';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const DAY = 24 * 3600_000;

describe.each(databases.eachSupportedId())('applyRetention on %s', id => {
  it('deletes finished jobs, deliveries, sent records and closes of PRs without a preview past their windows, nothing else', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const jobs = new DatabaseJobStore(knex);
    const deliveries = new DatabaseDeliveryStore(knex);
    const sentMessages = new SentMessages(knex);
    const previews = new DatabasePreviewStore(knex);
    const now = Date.now();
    for (const [prNumber, ageDays] of [
      [1, 15],
      [2, 13],
    ] as const) {
      await previews.recordClose(
        'component:default/web',
        prNumber,
        new Date(now - ageDays * DAY),
      );
    }
    for (const [transition, ageDays] of [
      ['ready#1', 8],
      ['ready#2', 1],
    ] as const) {
      await sentMessages.record(
        { channel: 'slack', subject: 'preview:1', transition },
        { sentAt: new Date(now - ageDays * DAY) },
      );
    }

    const queued = await jobs.enqueue(knex, { type: 'a', payload: {} });
    const finishedLongAgo = await jobs.enqueue(knex, {
      type: 'a',
      payload: {},
    });
    const finishedRecently = await jobs.enqueue(knex, {
      type: 'a',
      payload: {},
    });
    await jobs.cancelQueuedJob(finishedLongAgo);
    await jobs.cancelQueuedJob(finishedRecently);
    await knex('jobs')
      .where('id', finishedLongAgo)
      .update({ finished_at: new Date(now - 8 * DAY) });

    for (const [deliveryId, ageDays] of [
      ['old', 15],
      ['new', 1],
    ] as const) {
      await jobs.enqueueGuarded(
        deliveries.insertStatement([
          {
            deliveryId,
            event: 'ping',
            action: null,
            repository: null,
            receivedAt: new Date(now - ageDays * DAY),
            outcome: 'ignored',
            jobCount: 0,
            redeliveries: 0,
            payload: '{}',
          },
        ]),
        [],
      );
    }

    await expect(
      applyRetention({
        jobs,
        deliveries,
        sentMessages,
        previews,
        jobRetentionMs: 7 * DAY,
        deliveryRetentionMs: 14 * DAY,
        now,
      }),
    ).resolves.toEqual({
      jobs: 1,
      deliveries: 1,
      sentMessages: 1,
      pullRequestCloses: 1,
      deployEvents: 0,
      mergedPullRequests: 0,
    });
    const sent = (transition: string) =>
      sentMessages.wasSent({
        channel: 'slack',
        subject: 'preview:1',
        transition,
      });
    expect([await sent('ready#1'), await sent('ready#2')]).toEqual([
      false,
      true,
    ]);
    expect((await jobs.listJobs({ limit: 10 })).map(j => j.id).sort()).toEqual(
      [queued, finishedRecently].sort(),
    );
    expect(
      (await deliveries.list({ limit: 10 })).map(d => d.deliveryId),
    ).toEqual(['new']);
    expect(
      (await knex('pull_request_closes')).map(row => row.pr_number),
    ).toEqual([2]);
  });

  it('deletes deploy events queued and last changed before opshub.analytics.retention, keeping them at least that long', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const now = Date.parse('2026-12-01T12:00:00Z');
    const retentionMs = 400 * DAY;
    const ago = (ms: number) => new Date(now - ms);
    const events: Array<[string, Date, Date]> = [
      // name, queued_at, updated_at
      ['old', ago(retentionMs + DAY), ago(retentionMs + DAY)],
      ['just past', ago(retentionMs + 1), ago(retentionMs + 1)],
      ['exactly the retention', ago(retentionMs), ago(retentionMs)],
      ['recent', ago(DAY), ago(DAY)],
      // Queued long ago, but a late status changed it recently.
      ['late change', ago(retentionMs + DAY), ago(DAY)],
    ];
    for (const [name, queuedAt, updatedAt] of events) {
      await knex('deploy_events').insert({
        entity_ref: 'component:default/web',
        environment: 'production',
        environment_class: 'production',
        source: 'github',
        provider: 'github',
        head_sha: 'a'.repeat(40),
        deployment_id: name,
        queued_at: queuedAt,
        finished_at: queuedAt,
        outcome: 'succeeded',
        updated_at: updatedAt,
      });
    }
    const remaining = async () =>
      (await knex('deploy_events')).map(row => row.deployment_id).sort();
    const stores = {
      jobs: new DatabaseJobStore(knex),
      deliveries: new DatabaseDeliveryStore(knex),
      sentMessages: new SentMessages(knex),
      jobRetentionMs: 7 * DAY,
      deliveryRetentionMs: 14 * DAY,
      now,
    };

    await expect(applyRetention(stores)).resolves.toMatchObject({
      deployEvents: 0,
    });
    expect(await remaining()).toHaveLength(events.length);

    await rebuildDailyDeployStats(knex, { nowMs: now });
    const statDays = async () =>
      (
        await knex('daily_deploy_stats')
          .where({ environment_class: 'all' })
          .orderBy('day')
      ).map(row => [row.day, Number(row.total)]);
    const dayOf = (ms: number) => new Date(now - ms).toISOString().slice(0, 10);
    expect(await statDays()).toEqual([
      // 'old' and 'late change' share a day
      [dayOf(retentionMs + DAY), 2],
      [dayOf(retentionMs + 1), 2],
      [dayOf(DAY), 1],
    ]);

    await expect(
      applyRetention({ ...stores, deployEvents: { knex, retentionMs } }),
    ).resolves.toMatchObject({ deployEvents: 2 });
    expect(await remaining()).toEqual(
      ['exactly the retention', 'late change', 'recent'].sort(),
    );
    // The days they left are recomputed: the overview counts what is left.
    expect(await statDays()).toEqual([
      [dayOf(retentionMs + DAY), 1],
      [dayOf(retentionMs + 1), 1],
      [dayOf(DAY), 1],
    ]);
  });

  it('deletes pull requests merged and last changed before opshub.analytics.retention', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const now = Date.parse('2026-12-01T12:00:00Z');
    const retentionMs = 400 * DAY;
    const ago = (ms: number) => new Date(now - ms);
    const merged: Array<[number, Date, Date]> = [
      // number, merged_at, updated_at
      [1, ago(retentionMs + DAY), ago(retentionMs + DAY)],
      [2, ago(retentionMs), ago(retentionMs)],
      // Merged long ago; its first commit was read recently.
      [3, ago(retentionMs + DAY), ago(DAY)],
      [4, ago(DAY), ago(DAY)],
    ];
    for (const [prNumber, mergedAt, updatedAt] of merged) {
      await knex('merged_pull_requests').insert({
        entity_ref: 'component:default/web',
        repository: 'acme/web',
        pr_number: prNumber,
        merge_commit_sha: String(prNumber).repeat(40),
        merged_at: mergedAt,
        commits_status: 'known',
        updated_at: updatedAt,
      });
    }

    await expect(
      applyRetention({
        jobs: new DatabaseJobStore(knex),
        deliveries: new DatabaseDeliveryStore(knex),
        sentMessages: new SentMessages(knex),
        jobRetentionMs: 7 * DAY,
        deliveryRetentionMs: 14 * DAY,
        deployEvents: { knex, retentionMs },
        now,
      }),
    ).resolves.toMatchObject({ mergedPullRequests: 1 });
    expect(
      (await knex('merged_pull_requests').orderBy('pr_number')).map(row =>
        Number(row.pr_number),
      ),
    ).toEqual([2, 3, 4]);
  });
});
