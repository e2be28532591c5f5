import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type { OpsHubAnalyticsOverviewItem } from '@opshub/plugin-opshub-common';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  type OpsHubAnalyticsOverviewQuery,
  opshubApiRef,
} from '../../api/OpsHubApi';
import { noDoraRatings } from '../../__testUtils__/dora';
import { fakeOpsHubApi } from '../../__testUtils__/fakeOpsHubApi';
import { DeploysOverviewCard, OVERVIEW_PAGE_SIZE } from './DeploysOverviewCard';

/** 2026-12-01 at noon, UTC: the last 30 days are 2026-11-02 to 2026-12-01. */
const now = () => Date.parse('2026-12-01T12:00:00Z');

const item = (name: string, deploys: number): OpsHubAnalyticsOverviewItem => ({
  entityRef: `component:default/${name}`,
  deploys,
  succeeded: deploys - 1,
  failed: 1,
  cancelled: 0,
  successRate: (deploys - 1) / deploys,
  dora: noDoraRatings,
});

/**
 * A backend with two pages of entities: the first page's cursor is "page-2",
 * the second has none after it.
 */
function fakeApi() {
  const queries: OpsHubAnalyticsOverviewQuery[] = [];
  const api = fakeOpsHubApi({
    getAnalyticsOverview: async query => {
      queries.push(query);
      return query.after === 'page-2'
        ? {
            from: query.from,
            to: query.to,
            items: [item('search', 2)],
            nextCursor: null,
          }
        : {
            from: query.from,
            to: query.to,
            items: [
              {
                ...item('storefront', 40),
                dora: {
                  deploymentFrequency: 'elite',
                  leadTimeForChanges: 'high',
                  changeFailureRate: 'medium',
                  recoveryTime: 'low',
                },
              },
              item('checkout', 10),
            ],
            nextCursor: 'page-2',
          };
    },
  });
  return { api, queries };
}

async function renderCard(api: ReturnType<typeof fakeApi>['api']) {
  await renderInTestApp(
    <TestApiProvider apis={[[opshubApiRef, api]]}>
      <DeploysOverviewCard now={now} />
    </TestApiProvider>,
    { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
  );
}

const window30 = { from: '2026-11-02', to: '2026-12-01' };

jest.setTimeout(30_000);
describe('DeploysOverviewCard', () => {
  it('lists entities with their numbers, each linked to its Deploys tab', async () => {
    const { api, queries } = fakeApi();
    await renderCard(api);

    expect(
      await screen.findByRole('link', { name: 'component:default/storefront' }),
    ).toHaveAttribute('href', '/catalog/default/component/storefront/deploys');
    expect(screen.getByText('97.5%')).toBeInTheDocument();
    expect(screen.getByText('40')).toBeInTheDocument();
    expect(screen.getByText('39')).toBeInTheDocument();
    expect(queries).toEqual([{ ...window30, limit: OVERVIEW_PAGE_SIZE }]);
  });

  it("shows each entity's DORA ratings, named in full on hover", async () => {
    const { api } = fakeApi();
    await renderCard(api);

    const storefront = within(
      (await screen.findByText('component:default/storefront')).closest('tr')!,
    );
    expect(storefront.getByText('DF elite')).toBeInTheDocument();
    expect(storefront.getByText('LT high')).toBeInTheDocument();
    expect(storefront.getByText('CFR medium')).toBeInTheDocument();
    expect(storefront.getByText('MTTR low')).toBeInTheDocument();
    expect(
      storefront.getByLabelText('Change failure rate: medium'),
    ).toBeInTheDocument();

    const checkout = within(
      screen.getByText('component:default/checkout').closest('tr')!,
    );
    expect(checkout.getByText('DF —')).toBeInTheDocument();
    fireEvent.mouseOver(checkout.getByText('MTTR —'));
    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'Failed deployment recovery time: not rated',
    );
  });

  it('pages forward through the cursor and back', async () => {
    const { api, queries } = fakeApi();
    await renderCard(api);
    await screen.findByText('component:default/storefront');
    expect(
      screen.getByRole('button', { name: 'Previous page' }),
    ).toBeDisabled();

    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      await screen.findByText('component:default/search'),
    ).toBeInTheDocument();
    expect(screen.queryByText('component:default/storefront')).toBeNull();
    expect(screen.getByRole('button', { name: 'Next page' })).toBeDisabled();
    expect(queries.at(-1)).toEqual({
      ...window30,
      limit: OVERVIEW_PAGE_SIZE,
      after: 'page-2',
    });

    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    expect(
      await screen.findByText('component:default/storefront'),
    ).toBeInTheDocument();
    expect(queries.at(-1)).toEqual({ ...window30, limit: OVERVIEW_PAGE_SIZE });
  });

  it('asks for the window picked, from the first page again', async () => {
    const { api, queries } = fakeApi();
    await renderCard(api);
    await screen.findByText('component:default/storefront');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByText('component:default/search');

    fireEvent.change(screen.getByLabelText('Range'), {
      target: { value: '90' },
    });
    await waitFor(() =>
      expect(queries.at(-1)).toEqual({
        from: '2026-09-03',
        to: '2026-12-01',
        limit: OVERVIEW_PAGE_SIZE,
      }),
    );
    expect(
      await screen.findByText('component:default/storefront'),
    ).toBeInTheDocument();
  });

  it('is hidden when the backend refuses the caller', async () => {
    const api = fakeOpsHubApi({
      getAnalyticsOverview: async () => {
        throw Object.assign(new Error('Not allowed'), {
          response: { status: 403 },
        });
      },
    });
    await renderInTestApp(
      <TestApiProvider apis={[[opshubApiRef, api]]}>
        <>
          <p>page</p>
          <DeploysOverviewCard now={now} />
        </>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );

    await screen.findByText('page');
    await waitFor(() => expect(screen.queryByRole('progressbar')).toBeNull());
    expect(screen.queryByText('Deploys by entity')).toBeNull();
  });
});
