import { migrateUp } from '../../database/migrations';
import { createTestDatabases } from '../../__testUtils__/databases';
import type { ReportedDeployFailure } from '../taxonomy/deployErrorTaxonomy';
import type { RecordDeploymentPayload } from './deploymentDeliveries';
import { GithubDeploymentEvents } from './GithubDeploymentEvents';

jest.setTimeout(60_000);

const databases = createTestDatabases();

const event = (
  state: NonNullable<RecordDeploymentPayload['status']>['state'],
): RecordDeploymentPayload => ({
  deliveryId: 'd-1',
  entityRef: 'component:default/web',
  repository: 'acme/web',
  deployment: {
    id: '99',
    sha: 'c'.repeat(40),
    environment: 'production',
    createdAt: '2026-11-30T10:00:00Z',
  },
  status: {
    id: `${state}-1`,
    state,
    createdAt: '2026-11-30T10:05:00Z',
    url: null,
  },
});

describe.each(databases.eachSupportedId())(
  'GithubDeploymentEvents on %s',
  id => {
    it('classifies a failure with the taxonomy it is given, and writes only changes', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const asked: ReportedDeployFailure[] = [];
      const events = new GithubDeploymentEvents(knex, {
        errorClassifier: {
          classifyDeployError: failure => {
            asked.push(failure);
            return 'quota';
          },
        },
      });

      await expect(events.record(event('failure'))).resolves.toBe(true);
      await expect(events.record(event('failure'))).resolves.toBe(false);
      expect(asked).toEqual([{ provider: 'github', errorCode: 'failure' }]);
      expect(
        await knex('deploy_events').select(
          'outcome',
          'error_code',
          'error_class',
        ),
      ).toEqual([
        { outcome: 'failed', error_code: 'failure', error_class: 'quota' },
      ]);
    });

    it('keeps one row per entity and deployment', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const events = new GithubDeploymentEvents(knex);
      await events.record(event('in_progress'));
      await events.record({
        ...event('success'),
        entityRef: 'component:default/api',
      });
      await events.record(event('error'));
      expect(
        await knex('deploy_events')
          .orderBy('entity_ref')
          .select('entity_ref', 'deployment_id', 'outcome', 'error_class'),
      ).toEqual([
        {
          entity_ref: 'component:default/api',
          deployment_id: '99',
          outcome: 'succeeded',
          error_class: null,
        },
        {
          entity_ref: 'component:default/web',
          deployment_id: '99',
          outcome: 'failed',
          error_class: 'unknown',
        },
      ]);
    });
  },
);
