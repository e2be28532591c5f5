import { mockServices } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import type { PreviewState } from '../../previews/PreviewStore';
import { createTestDatabases } from '../../__testUtils__/databases';
import { seedPreview } from '../../__testUtils__/previews';
import { DatabaseHealthStore } from '../DatabaseHealthStore';
import { firstProbeAtMs } from '../firstProbe';
import { DEFAULT_HEALTH_CONFIG, type HealthConfig } from '../healthConfig';
import { NetworkPolicy } from '../probe/networkPolicy';
import { newHealthCheck } from '../__testUtils__/checkFixtures';
import { useConnectionGuard } from '../__testUtils__/connectionGuard';
import { createPreviewChecks } from './previewChecks';
import { PREVIEW_CHECK_CREATOR, syncPreviewChecks } from './syncPreviewChecks';

jest.setTimeout(60_000);

const databases = createTestDatabases();
// Every connect outside 127.0.0.1 and ::1 fails the test.
useConnectionGuard();
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ENTITY = 'component:default/storefront';
const URL_1 = 'https://storefront-pr-7-a.vercel.example';
const URL_2 = 'https://storefront-pr-7-b.vercel.example';

describe.each(databases.eachSupportedId())('preview checks on %s', id => {
  let knex: Knex;
  let store: DatabaseHealthStore;
  let config: HealthConfig['previews'];
  const logger = mockServices.logger.mock();
  const changed = jest.fn();

  beforeEach(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    store = new DatabaseHealthStore(knex);
    config = { ...DEFAULT_HEALTH_CONFIG.previews };
    jest.clearAllMocks();
  });

  const deps = () => ({
    knex,
    store,
    config,
    policy: new NetworkPolicy({
      allowPrivateNetworks: false,
      allowedNetworks: [],
    }),
    logger,
    changed,
    now: () => NOW,
  });
  /** Syncs one preview as its change would (and waits for it). */
  async function changedPreview(previewId: string) {
    const checks = createPreviewChecks(deps());
    checks.previewChanged(previewId);
    await checks.settled();
  }
  const seed = (state: PreviewState, url?: string, prNumber = 7) =>
    seedPreview(knex, { entityRef: ENTITY, prNumber, state, url });
  const move = (previewId: string, state: PreviewState, url?: string | null) =>
    knex('previews')
      .where({ id: previewId })
      .update(url === undefined ? { state } : { state, url });
  const previewChecks = async () =>
    (await store.listChecks(ENTITY)).filter(c => c.source === 'preview');

  it('gives a preview that becomes ready a check of its URL, probed every previews.interval', async () => {
    config.intervalMs = 30_000;
    const previewId = await seed('building');
    await changedPreview(previewId);
    expect(await previewChecks()).toEqual([]);

    await move(previewId, 'ready', URL_1);
    await changedPreview(previewId);
    const [check] = await previewChecks();
    expect(check).toMatchObject({
      entityRef: ENTITY,
      source: 'preview',
      previewId,
      name: 'preview-pr-7',
      url: URL_1,
      method: 'GET',
      expectedStatus: '200-299',
      intervalMs: 30_000,
      timeoutMs: 10_000,
      failureThreshold: 3,
      recoveryThreshold: 2,
      enabled: true,
      configError: null,
      state: 'unknown',
      createdBy: PREVIEW_CHECK_CREATOR,
      nextProbeAtMs: firstProbeAtMs(check.id, 30_000, NOW),
    });
    expect(check.nextProbeAtMs).toBeLessThan(NOW + 10_000);
    expect(changed).toHaveBeenCalledWith(ENTITY);

    // Told again (every change of the preview is): nothing to do.
    changed.mockClear();
    await changedPreview(previewId);
    expect(await syncPreviewChecks(deps())).toEqual({
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await previewChecks()).toEqual([check]);
    expect(changed).not.toHaveBeenCalled();
  });

  it('pauses the check while the preview builds again and resumes it on the new URL', async () => {
    const previewId = await seed('ready', URL_1);
    await changedPreview(previewId);
    const [check] = await previewChecks();

    await move(previewId, 'queued', null);
    await changedPreview(previewId);
    expect(await previewChecks()).toEqual([
      expect.objectContaining({
        id: check.id,
        url: URL_1,
        enabled: false,
        nextProbeAtMs: null,
      }),
    ]);

    await move(previewId, 'ready', URL_2);
    await changedPreview(previewId);
    expect(await previewChecks()).toEqual([
      expect.objectContaining({
        id: check.id,
        url: URL_2,
        enabled: true,
        nextProbeAtMs: firstProbeAtMs(check.id, 60_000, NOW),
      }),
    ]);

    // A new build that failed: its old deploy is gone, the check waits.
    await move(previewId, 'failed', null);
    await changedPreview(previewId);
    expect(await previewChecks()).toEqual([
      expect.objectContaining({ id: check.id, enabled: false }),
    ]);
  });

  it('follows a URL that changed between two scheduled syncs, and a changed interval', async () => {
    const previewId = await seed('ready', URL_1);
    expect(await syncPreviewChecks(deps())).toEqual({
      created: 1,
      updated: 0,
      deleted: 0,
    });
    const [check] = await previewChecks();

    await move(previewId, 'ready', URL_2);
    config.intervalMs = 120_000;
    expect(await syncPreviewChecks(deps())).toEqual({
      created: 0,
      updated: 1,
      deleted: 0,
    });
    expect(await previewChecks()).toEqual([
      expect.objectContaining({
        id: check.id,
        url: URL_2,
        intervalMs: 120_000,
        nextProbeAtMs: firstProbeAtMs(check.id, 120_000, NOW),
      }),
    ]);
  });

  it.each<PreviewState>(['destroying', 'destroyed', 'expired'])(
    'deletes the check, its samples and incidents when the preview is %s',
    async state => {
      const previewId = await seed('ready', URL_1);
      await changedPreview(previewId);
      const [check] = await previewChecks();
      await store.recordProbes([
        {
          checkId: check.id,
          entityRef: ENTITY,
          result: {
            outcome: 'failure',
            startedAt: new Date(NOW),
            latencyMs: 5,
            statusCode: 502,
            errorClass: 'status',
            message: 'HTTP 502',
          },
          standing: {
            state: 'down',
            consecutiveFailures: 1,
            consecutiveBad: 1,
            consecutiveSuccesses: 0,
          },
          incident: { action: 'open', state: 'down', errorClass: null },
        },
      ]);
      changed.mockClear();

      await move(previewId, state);
      await changedPreview(previewId);
      expect(await previewChecks()).toEqual([]);
      expect(changed).toHaveBeenCalledWith(ENTITY);
      const left = async (table: string) =>
        (await knex(table).where({ check_id: Number(check.id) })).length;
      expect(await left('health_samples')).toBe(0);
      expect(await left('health_incidents')).toBe(0);
    },
  );

  it('syncs every preview on the schedule: creates, deletes, leaves other checks alone', async () => {
    const ready = await seed('ready', URL_1, 1);
    const gone = await seed('ready', URL_2, 2);
    await seed('building', undefined, 3);
    await seed('ready', undefined, 4);
    await store.createCheck(newHealthCheck({ entityRef: ENTITY, name: 'api' }));
    await syncPreviewChecks(deps());
    await move(gone, 'destroyed');

    expect(await syncPreviewChecks(deps())).toEqual({
      created: 0,
      updated: 0,
      deleted: 1,
    });
    expect(
      (await store.listChecks(ENTITY)).map(c => [c.name, c.previewId]),
    ).toEqual([
      ['api', null],
      ['preview-pr-1', ready],
    ]);
  });

  it('creates none when preview checks are off, and deletes those there are', async () => {
    await seed('ready', URL_1, 1);
    await syncPreviewChecks(deps());
    config.enabled = false;
    const second = await seed('ready', URL_2, 2);

    await changedPreview(second);
    expect((await previewChecks()).map(c => c.name)).toEqual(['preview-pr-1']);
    expect(await syncPreviewChecks(deps())).toEqual({
      created: 0,
      updated: 0,
      deleted: 1,
    });
    expect(await previewChecks()).toEqual([]);
    expect(await syncPreviewChecks(deps())).toEqual({
      created: 0,
      updated: 0,
      deleted: 0,
    });
  });

  it('creates one check when a change and the schedule sync a preview at once', async () => {
    const previewId = await seed('ready', URL_1);
    const checks = createPreviewChecks(deps());
    checks.previewChanged(previewId);
    checks.previewChanged(previewId);
    const results = await Promise.all([
      checks.syncAll(),
      syncPreviewChecks(deps(), previewId),
    ]);
    await checks.settled();
    expect(await previewChecks()).toHaveLength(1);
    expect(results.map(r => r.created).reduce((a, b) => a + b)).toBeLessThan(2);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('leaves an API check of the same name alone and says why the preview is not watched', async () => {
    const api = await store.createCheck(
      newHealthCheck({ entityRef: ENTITY, name: 'preview-pr-7' }),
    );
    const previewId = await seed('ready', URL_1);
    expect(await syncPreviewChecks(deps(), previewId)).toEqual({
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await store.listChecks(ENTITY)).toEqual([api]);
    expect(logger.warn).toHaveBeenCalledWith(
      `${ENTITY} has a health check named preview-pr-7 made through the API: the preview of PR #7 is not watched until that check is renamed or deleted`,
    );
  });

  it('keeps a preview URL the network policy refuses unprobed, with the reason', async () => {
    await seed('ready', 'http://10.0.0.5:3000/');
    await syncPreviewChecks(deps());
    expect(await previewChecks()).toEqual([
      expect.objectContaining({
        url: 'http://10.0.0.5:3000/',
        configError: expect.stringMatching(/^The preview URL is refused: .+/),
        nextProbeAtMs: null,
      }),
    ]);
  });
});
