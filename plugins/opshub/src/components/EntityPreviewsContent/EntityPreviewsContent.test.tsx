import type { Entity } from '@backstage/catalog-model';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import type {
  OpsHubEntityHealth,
  OpsHubPreview,
} from '@opshub/plugin-opshub-common';
import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { type OpsHubApi, opshubApiRef } from '../../api/OpsHubApi';
import { fakeOpsHubApi } from '../../__testUtils__/fakeOpsHubApi';
import { healthCheck } from '../../__testUtils__/healthCheck';
import { EntityPreviewsCard } from './EntityPreviewsCard';
import { EntityPreviewsContent } from './EntityPreviewsContent';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'web', namespace: 'default' },
  spec: {},
};

const building: OpsHubPreview = {
  id: '1',
  entityRef: 'component:default/web',
  prNumber: 7,
  title: 'Add search',
  branch: 'search',
  headSha: 'abcdef1234567890',
  author: 'octocat',
  fromFork: false,
  provider: 'mock',
  state: 'building',
  url: null,
  errorClass: null,
  errorMessage: null,
  approvedBy: null,
  closedAs: null,
  envVarCount: null,
  envPushedAt: null,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString(),
};

/**
 * A backend holding `previews` (and `health`, if the user may read it); the
 * user may do what `permissions` says.
 */
function fakeApi(
  previews: OpsHubPreview[],
  permissions: Record<string, boolean>,
  health?: OpsHubEntityHealth,
) {
  const changes: string[] = [];
  const api = fakeOpsHubApi({
    ...(health && { getHealth: async () => structuredClone(health) }),
    listPreviews: async () => [...previews],
    getEffectiveRole: async () => ({
      entityRef: 'component:default/web',
      role: 'developer',
      permissions,
    }),
    changePreview: async (id, change) => {
      changes.push(`${change} ${id}`);
      return previews.find(p => p.id === id)!;
    },
  });
  return { api, changes };
}

/** Signals as the app's signal API delivers them, sent by the test. */
function fakeSignals() {
  const subscribers = new Map<string, (message: object) => void>();
  const api: SignalApi = {
    subscribe: (channel, onMessage) => {
      subscribers.set(channel, onMessage as (message: object) => void);
      return { unsubscribe: () => subscribers.delete(channel) };
    },
  };
  return { api, subscribers };
}

async function renderWith(
  node: JSX.Element,
  api: OpsHubApi,
  signals: SignalApi,
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [opshubApiRef, api],
        [signalApiRef, signals],
      ]}
    >
      <EntityProvider entity={entity}>{node}</EntityProvider>
    </TestApiProvider>,
  );
}

jest.setTimeout(30_000);
describe('EntityPreviewsContent', () => {
  it('shows previews and follows them live through signals', async () => {
    const previews = [building];
    const { api } = fakeApi(previews, { 'opshub.preview.manage': true });
    const signals = fakeSignals();
    await renderWith(<EntityPreviewsContent />, api, signals.api);

    expect(await screen.findByText('#7 Add search')).toBeInTheDocument();
    expect(screen.getByText('building')).toBeInTheDocument();
    expect(screen.getByText('search · abcdef1 · octocat')).toBeInTheDocument();

    // The backend finishes the build and signals the entity's channel.
    previews[0] = {
      ...building,
      state: 'ready',
      url: 'https://web-pr-7.preview.test',
    };
    const notify = signals.subscribers.get(
      'opshub.previews:component:default/web',
    );
    expect(notify).toBeDefined();
    act(() => notify!({ entityRef: 'component:default/web' }));
    // (The table re-renders its rows while the answer lands: wait it out.)
    await waitFor(() =>
      expect(screen.getByText('web-pr-7.preview.test')).toBeInTheDocument(),
    );
    expect(screen.getByText('ready')).toBeInTheDocument();
  });

  it('destroys after a confirmation, and offers approval only to approvers', async () => {
    const fork = {
      ...building,
      id: '2',
      prNumber: 8,
      state: 'awaiting-approval' as const,
    };
    const { api, changes } = fakeApi([building, fork], {
      'opshub.preview.manage': true,
      'opshub.preview.approve': false,
    });
    await renderWith(<EntityPreviewsContent />, api, fakeSignals().api);

    expect(await screen.findByText('#8 Add search')).toBeInTheDocument();
    expect(screen.queryByLabelText('Approve #8')).not.toBeInTheDocument();

    fireEvent.click(screen.getByLabelText('Destroy #7'));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('Destroy the preview of #7?'),
    ).toBeInTheDocument();
    expect(changes).toEqual([]);
    fireEvent.click(within(dialog).getByText('Destroy'));
    await screen.findByText('Destroying #7');
    expect(changes).toEqual(['destroy 1']);
  });

  it('shows how many variables each preview was built with and when they were pushed', async () => {
    const pushed = {
      ...building,
      envVarCount: 3,
      envPushedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
    };
    const none = { ...building, id: '2', prNumber: 8, envVarCount: 0 };
    const fork = { ...building, id: '3', prNumber: 9, fromFork: true };
    const { api } = fakeApi([pushed, none, fork], {});
    await renderWith(<EntityPreviewsContent />, api, fakeSignals().api);

    expect(await screen.findByText('#7 Add search')).toBeInTheDocument();
    expect(screen.getByText('Variables')).toBeInTheDocument();
    const row = (pr: number) =>
      screen.getByText(`#${pr} Add search`).closest('tr')!;
    expect(within(row(7)).getByText('3 variables')).toBeInTheDocument();
    expect(within(row(7)).getByText('pushed 5 min ago')).toBeInTheDocument();
    expect(within(row(8)).getByText('none')).toBeInTheDocument();
    // A fork's PR is built with none pushed: nothing to tell.
    expect(within(row(9)).queryByText(/variable|none/)).not.toBeInTheDocument();
  });

  it("shows each preview's health from its check, live through the health channel", async () => {
    const ready = {
      ...building,
      state: 'ready' as const,
      url: 'https://web-pr-7.preview.test',
    };
    const queued = {
      ...building,
      id: '2',
      prNumber: 8,
      state: 'queued' as const,
    };
    const health: OpsHubEntityHealth = {
      state: 'ok',
      checks: [healthCheck({ id: 'c1', name: 'api', state: 'ok' })],
      previews: [
        healthCheck({
          id: 'p1',
          name: 'Preview #7',
          source: 'preview',
          previewId: '1',
          url: 'https://web-pr-7.preview.test',
          state: 'down',
          lastErrorClass: 'connect',
        }),
      ],
    };
    const { api } = fakeApi(
      [ready, queued],
      { 'opshub.health.read': true },
      health,
    );
    const signals = fakeSignals();
    await renderWith(<EntityPreviewsContent />, api, signals.api);

    expect(await screen.findByLabelText('#7 health: down')).toHaveTextContent(
      'down',
    );
    expect(screen.getByText('Health')).toBeInTheDocument();
    // #8 has no check (not ready), and the entity's own checks are not previews'.
    expect(screen.queryByLabelText(/^#8 health/)).not.toBeInTheDocument();
    expect(screen.getAllByLabelText(/ health: /)).toHaveLength(1);

    // The preview recovers; the backend signals the entity's health channel.
    health.previews[0] = { ...health.previews[0], state: 'ok' };
    const notify = signals.subscribers.get(
      'opshub.health:component:default/web',
    );
    expect(notify).toBeDefined();
    act(() => notify!({ entityRef: 'component:default/web' }));
    expect(await screen.findByLabelText('#7 health: ok')).toBeInTheDocument();
  });

  it('shows previews without health, not asking for it, to those who may not read health', async () => {
    const ready = { ...building, state: 'ready' as const };
    const health: OpsHubEntityHealth = {
      state: 'ok',
      checks: [],
      previews: [healthCheck({ source: 'preview', previewId: '1' })],
    };
    const { api } = fakeApi([ready], { 'opshub.preview.manage': true }, health);
    const getHealth = jest.spyOn(api, 'getHealth');
    await renderWith(<EntityPreviewsContent />, api, fakeSignals().api);

    expect(await screen.findByText('#7 Add search')).toBeInTheDocument();
    expect(screen.getByLabelText('Redeploy #7')).toBeInTheDocument();
    expect(screen.queryByLabelText(/ health: /)).not.toBeInTheDocument();
    expect(getHealth).not.toHaveBeenCalled();
  });

  it('explains how to get previews when there are none', async () => {
    const { api } = fakeApi([], {});
    await renderWith(<EntityPreviewsContent />, api, fakeSignals().api);
    expect(await screen.findByText(/No previews yet/)).toBeInTheDocument();
  });
});

describe('EntityPreviewsCard', () => {
  it('lists the live previews with their links', async () => {
    const ready = {
      ...building,
      state: 'ready' as const,
      url: 'https://web-pr-7.preview.test',
    };
    const gone = {
      ...building,
      id: '3',
      prNumber: 9,
      title: 'Old',
      state: 'destroyed' as const,
    };
    const { api } = fakeApi([ready, gone], {});
    await renderWith(<EntityPreviewsCard />, api, fakeSignals().api);
    const link = await screen.findByText('#7 Add search');
    expect(link.closest('a')).toHaveAttribute(
      'href',
      'https://web-pr-7.preview.test',
    );
    expect(screen.queryByText('#9 Old')).not.toBeInTheDocument();
  });
});
