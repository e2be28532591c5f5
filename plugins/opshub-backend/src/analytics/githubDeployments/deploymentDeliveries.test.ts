import examples from '@octokit/webhooks-examples';
import { planBody, planDelivery } from '../../webhooks/planDelivery';
import { RECORD_DEPLOYMENT } from './deploymentDeliveries';

const examplesOf = (name: string) =>
  examples.find(e => e.name === name)!.examples as Array<Record<string, any>>;
const statusExample = examplesOf('deployment_status')[0];
const ENTITY = 'component:default/hello-world';

/** The example status in `environment`, with these status fields. */
const status = (environment: string, fields: Record<string, unknown> = {}) => ({
  ...statusExample,
  deployment: { ...statusExample.deployment, environment },
  deployment_status: { ...statusExample.deployment_status, ...fields },
});

describe('planning deployment deliveries', () => {
  it('plans a production status as one job per acting entity, looked up by repository', () => {
    const plan = planDelivery('d-1', 'deployment_status', status('production'));
    expect(plan).toMatchObject({
      action: 'created',
      repository: 'Codertocat/Hello-World',
      outcome: 'unmatched',
      lookup: 'Codertocat/Hello-World',
    });
    expect(plan.jobsFor([ENTITY, 'component:default/other'])).toEqual([
      {
        type: RECORD_DEPLOYMENT,
        key: `deployment:${ENTITY}:145988746:status:209916254`,
        group: `deployment:${ENTITY}:145988746`,
        payload: {
          deliveryId: 'd-1',
          entityRef: ENTITY,
          repository: 'Codertocat/Hello-World',
          deployment: {
            id: '145988746',
            sha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
            environment: 'production',
            createdAt: '2019-05-15T15:20:53Z',
          },
          status: {
            id: '209916254',
            state: 'success',
            createdAt: '2019-05-15T15:20:55Z',
            url: null,
          },
        },
      },
      expect.objectContaining({
        key: 'deployment:component:default/other:145988746:status:209916254',
      }),
    ]);
  });

  it.each([
    [{ log_url: 'https://log', target_url: 'https://target' }, 'https://log'],
    [{ log_url: '', target_url: 'https://target' }, 'https://target'],
    [
      { target_url: '', environment_url: 'https://app.example' },
      'https://app.example',
    ],
    [{ target_url: '', environment_url: '' }, null],
  ])('takes the status URL from %j', (fields, url) => {
    const [job] = planDelivery(
      'd-1',
      'deployment_status',
      status('production', fields),
    ).jobsFor([ENTITY]);
    expect((job.payload.status as { url: unknown }).url).toBe(url);
  });

  it('matches opshub.analytics.productionEnvironments case-insensitively, from the options', () => {
    const body = (environment: string) => JSON.stringify(status(environment));
    const outcome = (environment: string, patterns?: string[]) => {
      const plan = planBody(
        'd-1',
        'deployment_status',
        body(environment),
        patterns && { productionEnvironments: patterns },
      );
      return typeof plan === 'string' ? plan : plan.outcome;
    };
    expect(outcome('PRODUCTION')).toBe('unmatched');
    expect(outcome('prod-eu')).toBe('unmatched');
    expect(outcome('staging')).toBe('ignored');
    expect(outcome('staging', ['Staging', 'live-*'])).toBe('unmatched');
    expect(outcome('live-us', ['Staging', 'live-*'])).toBe('unmatched');
    expect(outcome('production', ['Staging', 'live-*'])).toBe('ignored');
  });

  it.each([
    ['another action', { ...status('production'), action: 'updated' }],
    ['an unknown state', status('production', { state: 'exploded' })],
    [
      'a status without created_at',
      status('production', { created_at: undefined }),
    ],
    [
      'a deployment without an id',
      {
        ...status('production'),
        deployment: { ...statusExample.deployment, id: undefined },
      },
    ],
  ])('ignores %s', (_, payload) => {
    const plan = planDelivery('d-1', 'deployment_status', payload);
    expect(plan.outcome).toBe('ignored');
    expect(plan.jobsFor([ENTITY])).toEqual([]);
  });

  it('plans the deployment event without a status', () => {
    const [job] = planDelivery(
      'd-2',
      'deployment',
      examplesOf('deployment')[0],
    ).jobsFor([ENTITY]);
    expect(job.key).toBe(`deployment:${ENTITY}:145988746:created`);
    expect(job.payload).not.toHaveProperty('status');
  });
});
