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
  OpsHubDeployAnalytics,
  OpsHubDeployEvent,
} from '@opshub/plugin-opshub-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import type { OpsHubDeployAnalyticsQuery } from '../../api/OpsHubApi';
import { opshubApiRef } from '../../api/OpsHubApi';
import { noDoraMetrics } from '../../__testUtils__/dora';
import { fakeOpsHubApi } from '../../__testUtils__/fakeOpsHubApi';
import { EntityDeploysContent } from './EntityDeploysContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default' },
  spec: {},
};

/** 2026-12-01 at noon, UTC: the last 30 days are 2026-11-02 to 2026-12-01. */
const now = () => Date.parse('2026-12-01T12:00:00Z');

const production: OpsHubDeployEvent = {
  id: '11',
  entityRef: 'component:default/web',
  environment: 'production-eu',
  environmentClass: 'production',
  source: 'github',
  provider: 'github',
  repository: 'acme/web',
  headSha: 'abcdef1234567890',
  prNumber: null,
  previewId: null,
  url: 'https://github.com/acme/web/deployments/11',
  outcome: 'failed',
  errorClass: 'quota',
  errorCode: 'BUILD_MINUTES',
  queuedAt: '2026-11-30T10:00:00.000Z',
  startedAt: '2026-11-30T10:01:00.000Z',
  finishedAt: '2026-11-30T10:03:00.000Z',
  queueTimeMs: 60_000,
  buildTimeMs: 120_000,
  totalTimeMs: 180_000,
};

const preview: OpsHubDeployEvent = {
  ...production,
  id: '12',
  environment: 'preview',
  environmentClass: 'preview',
  source: 'preview',
  provider: 'vercel',
  prNumber: 42,
  previewId: 'p-7',
  url: 'https://vercel.com/acme/web/abc',
  outcome: 'succeeded',
  errorClass: null,
  errorCode: null,
};

const analytics: OpsHubDeployAnalytics = {
  from: '2026-11-29',
  to: '2026-11-30',
  environment: null,
  deploys: {
    total: 5,
    succeeded: 3,
    failed: 1,
    cancelled: 0,
    superseded: 1,
    successRate: 0.75,
    byDay: [
      { date: '2026-11-29', succeeded: 1, failed: 0, cancelled: 0 },
      { date: '2026-11-30', succeeded: 2, failed: 1, cancelled: 0 },
    ],
  },
  totalTime: { p50Ms: 90_000, p95Ms: 200_000, p99Ms: 3_600_000 },
  buildTime: { p50Ms: 60_000, p95Ms: 120_000, p99Ms: 125_000 },
  errorClasses: [{ class: 'quota', count: 1 }],
  recent: [preview, production],
  dora: noDoraMetrics,
};

const none: OpsHubDeployAnalytics = {
  ...analytics,
  deploys: {
    total: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    superseded: 0,
    successRate: null,
    byDay: [],
  },
  totalTime: { p50Ms: null, p95Ms: null, p99Ms: null },
  buildTime: { p50Ms: null, p95Ms: null, p99Ms: null },
  errorClasses: [],
  recent: [],
  dora: noDoraMetrics,
};

/** A backend answering `answer` to every analytics query, recording them. */
function fakeApi(
  answer: OpsHubDeployAnalytics,
  permissions: Record<string, boolean> = { 'opshub.analytics.read': true },
) {
  const queries: OpsHubDeployAnalyticsQuery[] = [];
  const api = fakeOpsHubApi({
    getEffectiveRole: async () => ({
      entityRef: 'component:default/web',
      role: 'viewer' as const,
      permissions,
    }),
    getDeployAnalytics: async (_entity, query) => {
      queries.push(query);
      return structuredClone(answer);
    },
  });
  return { api, queries };
}

async function renderTab(api: ReturnType<typeof fakeApi>['api']) {
  return renderInTestApp(
    <TestApiProvider apis={[[opshubApiRef, api]]}>
      <EntityProvider entity={entity}>
        <EntityDeploysContent now={now} />
      </EntityProvider>
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

const figure = (label: string) =>
  within(screen.getByRole('group', { name: label }));

jest.setTimeout(30_000);
describe('EntityDeploysContent', () => {
  it('shows the last 30 days: figures, the three charts and their legends', async () => {
    const { api, queries } = fakeApi(analytics);
    const { container } = await renderTab(api);

    expect(await screen.findByText('Deploys per day')).toBeInTheDocument();
    expect(queries).toEqual([{ from: '2026-11-02', to: '2026-12-01' }]);
    expect(figure('Deploys').getByText('5')).toBeInTheDocument();
    expect(figure('Success rate').getByText('75.0%')).toBeInTheDocument();
    expect(figure('Superseded').getByText('1')).toBeInTheDocument();
    expect(
      figure('Total time P50').getByText('1 min 30 s'),
    ).toBeInTheDocument();
    expect(figure('Total time P99').getByText('1 h')).toBeInTheDocument();
    expect(figure('Build time P95').getByText('2 min')).toBeInTheDocument();
    expect(
      figure('Deployment frequency').getByText(
        'No successful production deploy in this range',
      ),
    ).toBeInTheDocument();

    // Deploys per day: one bar per day and outcome with deploys, stacked.
    const perDay = container.querySelectorAll('.recharts-bar-rectangle');
    // 2 succeeded days + 1 failed day + 1 class of failures.
    expect(perDay).toHaveLength(4);
    const legends = [
      ...container.querySelectorAll('.recharts-legend-item-text'),
    ].map(item => item.textContent);
    // (A stacked chart lists its series top of the stack first.)
    expect(legends).toEqual([
      'Cancelled',
      'Failed',
      'Succeeded',
      'Failed deploys',
    ]);
    expect(screen.getAllByText('2026-11-30').length).toBeGreaterThan(0);

    // Total time: the window's percentiles as labelled reference lines.
    await waitFor(() =>
      expect(
        container.querySelectorAll('.recharts-reference-line'),
      ).toHaveLength(3),
    );
    expect(screen.getByText('P50 1 min 30 s')).toBeInTheDocument();
    expect(screen.getByText('P95 3 min 20 s')).toBeInTheDocument();
    expect(screen.getByText('P99 1 h')).toBeInTheDocument();

    // Failures by class.
    expect(screen.getByText('Failures by class')).toBeInTheDocument();
    expect(screen.getAllByText('quota').length).toBeGreaterThan(0);
  });

  it('lists recent deploys with links to the pull request, the preview and the provider', async () => {
    const { api } = fakeApi(analytics);
    await renderTab(api);

    const table = within(
      (await screen.findByText('Recent deploys')).closest(
        '.MuiCard-root',
      ) as HTMLElement,
    );
    const [previewRow, productionRow] = table
      .getAllByRole('row')
      .filter(row => within(row).queryByText(/^(preview|production-eu)$/));

    const inPreview = within(previewRow);
    expect(inPreview.getByText('succeeded')).toBeInTheDocument();
    expect(inPreview.getByRole('link', { name: /^PR #42\b/ })).toHaveAttribute(
      'href',
      'https://github.com/acme/web/pull/42',
    );
    expect(inPreview.getByRole('link', { name: /^Preview\b/ })).toHaveAttribute(
      'href',
      '/catalog/default/component/web/previews',
    );
    expect(
      inPreview.getByRole('link', { name: /^vercel page of the deploy/ }),
    ).toHaveAttribute('href', 'https://vercel.com/acme/web/abc');

    const inProduction = within(productionRow);
    expect(inProduction.getByText('failed')).toBeInTheDocument();
    expect(inProduction.getByText('quota')).toBeInTheDocument();
    expect(inProduction.getByText('BUILD_MINUTES')).toBeInTheDocument();
    expect(inProduction.getByText('3 min')).toBeInTheDocument();
    expect(inProduction.queryByRole('link', { name: /^PR/ })).toBeNull();
    expect(inProduction.queryByRole('link', { name: /^Preview/ })).toBeNull();
    expect(
      inProduction.getByRole('link', { name: /^github page of the deploy/ }),
    ).toHaveAttribute('href', 'https://github.com/acme/web/deployments/11');
  });

  it('asks again when the range or the environment changes', async () => {
    const { api, queries } = fakeApi(analytics);
    await renderTab(api);
    await screen.findByText('Deploys per day');

    fireEvent.change(screen.getByLabelText('Range'), {
      target: { value: '7' },
    });
    await waitFor(() =>
      expect(queries.at(-1)).toEqual({ from: '2026-11-25', to: '2026-12-01' }),
    );

    fireEvent.change(screen.getByLabelText('Environment'), {
      target: { value: 'production' },
    });
    await waitFor(() =>
      expect(queries.at(-1)).toEqual({
        from: '2026-11-25',
        to: '2026-12-01',
        environment: 'production',
      }),
    );

    fireEvent.change(screen.getByLabelText('Range'), {
      target: { value: 'custom' },
    });
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '2025-12-30' },
    });
    await waitFor(() =>
      expect(queries.at(-1)).toEqual({
        from: '2025-12-30',
        to: '2026-12-01',
        environment: 'production',
      }),
    );

    // A window the backend would refuse is not asked for.
    const asked = queries.length;
    fireEvent.change(screen.getByLabelText('From'), {
      target: { value: '2026-12-05' },
    });
    expect(
      await screen.findByText('The start is after the end.'),
    ).toBeInTheDocument();
    expect(queries).toHaveLength(asked);
  });

  it('says how to send deployment events when the window has none', async () => {
    const { api } = fakeApi(none);
    await renderTab(api);

    expect(
      await screen.findByText('No deploys in this window'),
    ).toBeInTheDocument();
    expect(screen.getByText('/api/opshub/webhooks/github')).toBeInTheDocument();
    expect(screen.getByText('Deployment statuses')).toBeInTheDocument();
    expect(
      screen.getByText('opshub.analytics.productionEnvironments'),
    ).toBeInTheDocument();
    expect(screen.getByText(/preview OpsHub builds/)).toBeInTheDocument();
    expect(screen.queryByText('Deploys per day')).toBeNull();
  });

  it("shows DORA's keys of production deploys when the environment picked has no deploy", async () => {
    const { api } = fakeApi({
      ...none,
      environment: 'preview',
      dora: {
        ...noDoraMetrics,
        deploymentFrequency: {
          medianDeployDaysPerWeek: 7,
          medianDeployDaysPerMonth: 30,
          deploys: 30,
          rating: 'elite',
          reason: null,
        },
      },
    });
    await renderTab(api);

    expect(
      await screen.findByText('No deploys in this window'),
    ).toBeInTheDocument();
    expect(
      figure('Deployment frequency').getByText('7 deploy days / week'),
    ).toBeInTheDocument();
    expect(
      figure('Deployment frequency').getByText('elite'),
    ).toBeInTheDocument();
  });

  it('shows nothing of the analytics without opshub.analytics.read', async () => {
    const { api, queries } = fakeApi(analytics, {
      'opshub.preview.read': true,
    });
    await renderTab(api);

    expect(
      await screen.findByText(/Deploy analytics are not available to you/),
    ).toBeInTheDocument();
    expect(screen.queryByText('Deploys per day')).toBeNull();
    expect(queries).toEqual([]);
  });
});
