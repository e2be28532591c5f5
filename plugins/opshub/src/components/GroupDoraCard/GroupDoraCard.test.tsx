import type { Entity } from '@backstage/catalog-model';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import type {
  OpsHubDoraMetrics,
  OpsHubGroupAnalytics,
} from '@opshub/plugin-opshub-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  type OpsHubGroupAnalyticsQuery,
  opshubApiRef,
} from '../../api/OpsHubApi';
import { noDoraMetrics } from '../../__testUtils__/dora';
import { fakeOpsHubApi } from '../../__testUtils__/fakeOpsHubApi';
import { GroupDoraCard } from './GroupDoraCard';

const group: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'web team', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

/** 2026-12-01 at noon, UTC: the last 30 days are 2026-11-02 to 2026-12-01. */
const now = () => Date.parse('2026-12-01T12:00:00Z');

const eliteFrequency: OpsHubDoraMetrics = {
  ...noDoraMetrics,
  deploymentFrequency: {
    medianDeployDaysPerWeek: 7,
    medianDeployDaysPerMonth: 28,
    deploys: 40,
    rating: 'elite',
    reason: null,
  },
};

function fakeApi() {
  const queries: OpsHubGroupAnalyticsQuery[] = [];
  const api = fakeOpsHubApi({
    getGroupAnalytics: async (query): Promise<OpsHubGroupAnalytics> => {
      queries.push(query);
      return {
        groupRef: 'group:default/web team',
        from: query.from,
        to: query.to,
        entities: ['component:default/checkout', 'component:default/web'],
        dora: eliteFrequency,
        byEntity: [
          { entityRef: 'component:default/checkout', dora: noDoraMetrics },
          { entityRef: 'component:default/web', dora: eliteFrequency },
        ],
      };
    },
  });
  return { api, queries };
}

async function renderCard(api: ReturnType<typeof fakeApi>['api']) {
  await renderInTestApp(
    <TestApiProvider apis={[[opshubApiRef, api]]}>
      <EntityProvider entity={group}>
        <GroupDoraCard now={now} />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

jest.setTimeout(30_000);
describe('GroupDoraCard', () => {
  it("shows the group's DORA keys, then each entity's ratings linked to its Deploys tab", async () => {
    const { api, queries } = fakeApi();
    await renderCard(api);

    const frequency = within(
      await screen.findByRole('group', { name: 'Deployment frequency' }),
    );
    expect(frequency.getByText('7 deploy days / week')).toBeInTheDocument();
    expect(frequency.getByText('elite')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Production deploys of the 2 tracked entities this group owns that you may read.',
      ),
    ).toBeInTheDocument();
    expect(queries).toEqual([
      {
        namespace: 'default',
        name: 'web team',
        from: '2026-11-02',
        to: '2026-12-01',
      },
    ]);

    expect(
      screen.getByRole('link', { name: 'component:default/web' }),
    ).toHaveAttribute('href', '/catalog/default/component/web/deploys');
    expect(
      screen.getByLabelText('Deployment frequency: elite'),
    ).toBeInTheDocument();
    expect(
      screen.getAllByLabelText('Lead time for changes: not rated'),
    ).toHaveLength(2);
  });

  it('asks again for the window picked', async () => {
    const { api, queries } = fakeApi();
    await renderCard(api);
    await screen.findByRole('group', { name: 'Deployment frequency' });

    fireEvent.change(screen.getByLabelText('Range'), {
      target: { value: '7' },
    });
    await waitFor(() =>
      expect(queries.at(-1)).toMatchObject({
        from: '2026-11-25',
        to: '2026-12-01',
      }),
    );
  });

  it("shows the backend's error", async () => {
    const api = fakeOpsHubApi({
      getGroupAnalytics: async () => {
        throw new Error('The backend is down');
      },
    });
    await renderCard(api as ReturnType<typeof fakeApi>['api']);

    expect(
      await screen.findByText('Error: The backend is down', { selector: 'h6' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('group', { name: 'Deployment frequency' }),
    ).toBeNull();
  });
});
