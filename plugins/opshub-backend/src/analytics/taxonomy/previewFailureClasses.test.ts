import type { Knex } from 'knex';
import { migrateUp } from '../../database/migrations';
import { DatabasePreviewStore } from '../../previews/DatabasePreviewStore';
import type { BuildFailure, Preview } from '../../previews/PreviewStore';
import { createTestDatabases } from '../../__testUtils__/databases';
import {
  DeployErrorTaxonomy,
  OPSHUB_DEPLOY_ERROR_CODES,
} from './deployErrorTaxonomy';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const ENTITY = 'component:default/web';
const SHA = 'a'.repeat(40);

/*
 * Where a preview's failure is recorded (a refused build, a build that
 * ended failed, a teardown during a build), the stored class is the
 * taxonomy's for the preview's provider and the failure's code.
 */
describe.each(databases.eachSupportedId())(
  'preview failures classified by the taxonomy on %s',
  id => {
    let knex: Knex;
    let previews: DatabasePreviewStore;
    beforeAll(async () => {
      knex = await databases.init(id);
      await migrateUp(knex);
    });
    beforeEach(async () => {
      await knex('deploy_events').delete();
      await knex('previews').delete();
      const taxonomy = DeployErrorTaxonomy.withBuiltInCodes();
      taxonomy.addErrorCodes('acme', {
        OUT_OF_MINUTES: 'quota',
        PLATFORM_DOWN: 'provider-outage',
      });
      previews = new DatabasePreviewStore(knex, { errorClassifier: taxonomy });
    });

    async function queued(prNumber: number, provider = 'acme') {
      return (await knex.transaction(trx =>
        previews.recordHead(trx, {
          entityRef: ENTITY,
          prNumber,
          repository: 'acme/web',
          title: 'A change',
          branch: `change-${prNumber}`,
          headSha: SHA,
          author: 'octocat',
          fromFork: false,
          provider,
          prUpdatedAt: new Date('2026-12-01T06:00:00Z'),
          state: 'queued',
          ttlMs: 3_600_000,
        }),
      ))!;
    }

    async function building(prNumber: number, provider = 'acme') {
      const preview = await queued(prNumber, provider);
      await knex.transaction(trx =>
        previews.startBuild(trx, {
          previewId: preview.id,
          headSha: SHA,
          buildNumber: preview.buildNumber,
          deploymentId: `d-${prNumber}`,
          queuedAt: new Date('2026-12-01T06:00:00Z'),
        }),
      );
      return preview;
    }

    const fail = (preview: Preview, failure: BuildFailure) =>
      previews.finishBuild(preview.id, SHA, { outcome: 'failed', ...failure });

    async function recorded(preview: Preview) {
      const stored = (await previews.get(preview.id))!;
      const events = await knex('deploy_events')
        .where({ preview_id: preview.id })
        .select('outcome', 'error_class', 'error_code');
      return { errorClass: stored.errorClass, events };
    }

    it("stores the table's class of a provider's code over the class it reported", async () => {
      const preview = await building(1);
      await fail(preview, {
        errorClass: 'build',
        errorCode: 'OUT_OF_MINUTES',
        message: 'No build minutes left',
      });
      expect(await recorded(preview)).toEqual({
        errorClass: 'quota',
        events: [
          {
            outcome: 'failed',
            error_class: 'quota',
            error_code: 'OUT_OF_MINUTES',
          },
        ],
      });
    });

    it('stores the reported class for a code not in the table, or no code', async () => {
      const unlisted = await building(1);
      await fail(unlisted, {
        errorClass: 'configuration',
        errorCode: 'NEW_CODE',
        message: 'Something new',
      });
      const uncoded = await building(2);
      await fail(uncoded, { errorClass: 'timeout', message: 'Slow' });
      expect(await recorded(unlisted)).toMatchObject({
        errorClass: 'configuration',
        events: [{ error_class: 'configuration', error_code: 'NEW_CODE' }],
      });
      expect(await recorded(uncoded)).toMatchObject({
        errorClass: 'timeout',
        events: [{ error_class: 'timeout', error_code: null }],
      });
    });

    it("looks a code up in the preview's own provider's rows", async () => {
      const preview = await building(1, 'other');
      await fail(preview, {
        errorClass: 'build',
        errorCode: 'PLATFORM_DOWN',
        message: 'Down',
      });
      expect((await recorded(preview)).errorClass).toBe('build');
    });

    it("classifies a refused build, and OpsHub's own codes whatever the provider", async () => {
      const preview = await queued(1);
      await previews.refuse(preview.id, SHA, {
        errorClass: 'build',
        errorCode: OPSHUB_DEPLOY_ERROR_CODES.liveLimit,
        message: 'Too many live previews',
        queuedAt: new Date('2026-12-01T06:00:00Z'),
      });
      const timedOut = await building(2);
      await fail(timedOut, {
        errorClass: 'build',
        errorCode: OPSHUB_DEPLOY_ERROR_CODES.buildTimeout,
        message: 'Did not finish',
      });
      expect(await recorded(preview)).toEqual({
        errorClass: 'quota',
        events: [
          {
            outcome: 'failed',
            error_class: 'quota',
            error_code: 'opshub.live-limit',
          },
        ],
      });
      expect(await recorded(timedOut)).toMatchObject({
        errorClass: 'timeout',
        events: [
          { error_class: 'timeout', error_code: 'opshub.build-timeout' },
        ],
      });
    });

    it("records a teardown during a build as cancelled with OpsHub's code", async () => {
      const preview = await building(1);
      await previews.beginTeardown(preview.id, { reason: 'pr-closed' });
      expect((await recorded(preview)).events).toEqual([
        {
          outcome: 'cancelled',
          error_class: 'cancelled',
          error_code: 'opshub.teardown',
        },
      ]);
    });

    it('classifies by the built-in rows without a taxonomy given', async () => {
      const builtIn = new DatabasePreviewStore(knex);
      const preview = await queued(1, 'mock');
      await knex.transaction(trx =>
        builtIn.startBuild(trx, {
          previewId: preview.id,
          headSha: SHA,
          buildNumber: preview.buildNumber,
          deploymentId: 'mock-1',
          queuedAt: new Date('2026-12-01T06:00:00Z'),
        }),
      );
      await builtIn.finishBuild(preview.id, SHA, {
        outcome: 'failed',
        errorClass: 'unknown',
        errorCode: 'MOCK_BUILD_FAILED',
        message: 'Failed as configured',
      });
      expect((await recorded(preview)).errorClass).toBe('build');
    });
  },
);
