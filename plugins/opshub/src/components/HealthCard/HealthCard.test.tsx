import type { Entity } from '@backstage/catalog-model';
import { ResponseError } from '@backstage/errors';
import {
  renderInTestApp,
  TestApiProvider,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { signalApiRef, type SignalApi } from '@backstage/plugin-signals-react';
import type {
  OpsHubEntityHealth,
  OpsHubHealthCheck,
  OpsHubHealthSample,
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
import { EntityHealthCard } from './EntityHealthCard';
import { HealthCard } from './HealthCard';

const entityRef = { kind: 'Component', namespace: 'default', name: 'web' };
const channel = 'opshub.health:component:default/web';

function check(overrides: Partial<OpsHubHealthCheck>): OpsHubHealthCheck {
  return {
    id: 'c1',
    entityRef: 'component:default/web',
    name: 'api',
    url: 'https://api.example.com/healthz',
    source: 'api',
    previewId: null,
    maintenance: [],
    headers: {},
    certExpiryDays: null,
    alertCooldownMs: 900_000,
    reminderIntervalMs: 14_400_000,
    method: 'GET',
    expectedStatus: '200-299',
    bodyContains: null,
    jsonPath: null,
    timeoutMs: 10_000,
    intervalMs: 60_000,
    degradedLatencyMs: null,
    failureThreshold: 3,
    recoveryThreshold: 2,
    enabled: true,
    configError: null,
    state: 'ok',
    lastProbeAt: new Date(Date.now() - 12_000).toISOString(),
    lastLatencyMs: 85,
    lastStatusCode: 200,
    lastErrorClass: null,
    uptime: { day: 0.999, week: 1, month: null },
    openIncident: null,
    createdAt: '2026-12-01T10:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    ...overrides,
  };
}

function sample(
  latencyMs: number,
  outcome: OpsHubHealthSample['outcome'] = 'success',
): OpsHubHealthSample {
  return {
    at: '2026-12-01T10:00:00.000Z',
    outcome,
    latencyMs,
    statusCode: outcome === 'failure' ? 500 : 200,
    errorClass: outcome === 'failure' ? 'status' : null,
  };
}

/** A backend holding `health` (change it and signal), recording calls. */
function fakeApi(
  health: OpsHubEntityHealth,
  samples: Record<string, OpsHubHealthSample[]> = {},
  overrides: Partial<OpsHubApi> = {},
) {
  const api = fakeOpsHubApi({
    getHealth: jest.fn(async () => structuredClone(health)),
    listHealthSamples: jest.fn(async (_e, id: string) => samples[id] ?? []),
    createHealthCheck: jest.fn(async (_e, input) => {
      const created = check({ ...input, id: 'new', state: 'unknown' });
      health.checks.push(created);
      return created;
    }),
    updateHealthCheck: jest.fn(async (_e, id: string, changes) => {
      const i = health.checks.findIndex(c => c.id === id);
      health.checks[i] = { ...health.checks[i], ...changes };
      return health.checks[i];
    }),
    deleteHealthCheck: jest.fn(async (_e, id: string) => {
      health.checks = health.checks.filter(c => c.id !== id);
    }),
    listHealthIncidents: jest.fn(async () => []),
    getEffectiveRole: jest.fn(async () => ({
      entityRef: 'component:default/web',
      role: 'viewer' as const,
      permissions: { 'opshub.health.read': true },
    })),
    ...overrides,
  });
  return api;
}

/** Signals as the app's signal API delivers them, sent by the test. */
function fakeSignals() {
  const subscribers = new Map<string, (message: object) => void>();
  const api: SignalApi = {
    subscribe: (name, onMessage) => {
      subscribers.set(name, onMessage as (message: object) => void);
      return { unsubscribe: () => subscribers.delete(name) };
    },
  };
  return { api, subscribers };
}

const manager = {
  'opshub.health.read': true,
  'opshub.health.manage': true,
};

async function renderCard(
  api: OpsHubApi,
  permissions: Record<string, boolean> = manager,
  signals: SignalApi = fakeSignals().api,
) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [opshubApiRef, api],
        [signalApiRef, signals],
      ]}
    >
      <HealthCard entityRef={entityRef} permissions={permissions} />
    </TestApiProvider>,
  );
}

const row = async (name: string) =>
  within(await screen.findByTestId(`health-check-${name}`));

jest.setTimeout(30_000);
describe('HealthCard', () => {
  it("shows the entity's state, and each check's state, last probe, uptime, P95 and incident", async () => {
    const latencies = [...Array(20).keys()].map(i => (i + 1) * 10);
    const api = fakeApi(
      {
        previews: [],
        state: 'down',
        checks: [
          check({}),
          check({
            id: 'c2',
            name: 'search',
            state: 'down',
            lastLatencyMs: 3,
            lastStatusCode: 503,
            lastErrorClass: 'status',
            uptime: { day: 0.5, week: 0.99995, month: 0.12345 },
            openIncident: {
              id: 'i1',
              checkId: 'c2',
              state: 'down',
              errorClass: 'status',
              openedAt: '2026-12-01T09:00:00.000Z',
              closedAt: null,
            },
          }),
          check({
            id: 'c3',
            name: 'fresh',
            state: 'unknown',
            lastProbeAt: null,
            lastLatencyMs: null,
            lastStatusCode: null,
            uptime: { day: null, week: null, month: null },
          }),
        ],
      },
      {
        // Newest first, as the API lists them; two failures among them.
        c1: latencies.map((ms, i) =>
          sample(ms, i === 3 || i === 7 ? 'failure' : 'success'),
        ),
        c2: [sample(40), sample(10, 'failure')],
      },
    );
    await renderCard(api);

    expect(await screen.findByLabelText('Health: down')).toHaveTextContent(
      'down',
    );

    const ok = await row('api');
    expect(ok.getByLabelText('api state: ok')).toHaveTextContent('ok');
    // (12 s before the render, give or take the render's own time.)
    expect(ok.getByText(/^1\d s ago · 85 ms · 200$/)).toBeInTheDocument();
    expect(ok.getByText('99.9% / 100.0% / —')).toBeInTheDocument();
    // 20 latencies 10..200 ms: nearest rank ceil(0.95 × 20) = 19 → 190 ms.
    expect(ok.getByText('P95 190 ms')).toBeInTheDocument();
    expect(
      ok.getByRole('img', {
        name: "Latency of api's last 20 probes, 2 failed",
      }),
    ).toBeInTheDocument();
    expect(ok.getAllByTestId('failed-probe')).toHaveLength(2);
    expect(ok.getByText('none')).toBeInTheDocument();

    const down = await row('search');
    expect(down.getByLabelText('search state: down')).toHaveTextContent('down');
    expect(down.getByText(/3 ms · 503 · status/)).toBeInTheDocument();
    expect(down.getByText('50.0% / 99.9% / 12.3%')).toBeInTheDocument();
    expect(down.getByText('P95 40 ms')).toBeInTheDocument();
    expect(
      down.getByText(
        `down since ${new Date(
          '2026-12-01T09:00:00.000Z',
        ).toLocaleString()} (status)`,
      ),
    ).toBeInTheDocument();

    const fresh = await row('fresh');
    expect(fresh.getByLabelText('fresh state: unknown')).toBeInTheDocument();
    expect(fresh.getByText('not yet')).toBeInTheDocument();
    expect(fresh.getByText('— / — / —')).toBeInTheDocument();
    // The last 60 samples of each probed check; none asked for "fresh".
    expect(api.listHealthSamples).toHaveBeenCalledTimes(2);
    for (const id of ['c1', 'c2']) {
      expect(api.listHealthSamples).toHaveBeenCalledWith(entityRef, id, {
        limit: 60,
      });
    }
  });

  it('marks annotation checks read-only, with their configuration error', async () => {
    await renderCard(
      fakeApi({
        previews: [],
        state: 'unknown',
        checks: [
          check({
            id: 'a1',
            name: 'annotated',
            source: 'annotation',
            state: 'unknown',
            lastProbeAt: null,
            configError: 'http://169.254.169.254/ is a link-local address',
          }),
          check({}),
        ],
      }),
    );

    const annotated = await row('annotated');
    expect(annotated.getByText('annotation')).toBeInTheDocument();
    expect(
      annotated.queryByLabelText('Edit annotated'),
    ).not.toBeInTheDocument();
    expect(
      annotated.queryByLabelText('Delete annotated'),
    ).not.toBeInTheDocument();
    fireEvent.mouseOver(annotated.getByLabelText('annotated is read-only'));
    expect(
      await screen.findByText(/edit the annotation in catalog-info.yaml/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'annotated cannot be probed: http://169.254.169.254/ is a link-local address',
      ),
    ).toBeInTheDocument();

    // A check made through the API is managed here.
    expect((await row('api')).getByLabelText('Edit api')).toBeInTheDocument();
  });

  it('hides every manage control without opshub.health.manage', async () => {
    await renderCard(
      fakeApi({ state: 'ok', checks: [check({})], previews: [] }),
      {
        'opshub.health.read': true,
      },
    );

    expect(await screen.findByLabelText('api state: ok')).toBeInTheDocument();
    expect(screen.queryByText('Add check')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Edit api')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Delete api')).not.toBeInTheDocument();
  });

  it('says how to add a check when there is none', async () => {
    await renderCard(fakeApi({ state: 'unknown', checks: [], previews: [] }));

    expect(await screen.findByText('No health checks')).toBeInTheDocument();
    expect(
      screen.getByText(/Add one with the Add check button/),
    ).toBeInTheDocument();
    expect(screen.getByText('opshub.dev/health-url')).toBeInTheDocument();
    expect(screen.getByLabelText('Health: unknown')).toBeInTheDocument();
  });

  it('creates a check through the dialog, durations in milliseconds', async () => {
    const api = fakeApi({ state: 'unknown', checks: [], previews: [] });
    await renderCard(api);

    fireEvent.click(await screen.findByRole('button', { name: 'Add check' }));
    const dialog = within(await screen.findByRole('dialog'));
    const type = (label: string, value: string) =>
      fireEvent.change(dialog.getByLabelText(label), { target: { value } });
    type('Name', 'api');
    type('URL', 'https://api.example.com/healthz');
    type('Method', 'HEAD');
    type('Expected status', '200,204');
    type('Body contains', 'ok');
    type('JSON path', '$.healthy');
    type('Equals', 'true');
    type('Timeout (ms)', '2000');
    type('Interval (ms)', '15000');
    type('Degraded latency (ms)', '800');
    type('Failure threshold', '1');
    type('Recovery threshold', '1');
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));

    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );
    expect(api.createHealthCheck).toHaveBeenCalledWith(entityRef, {
      name: 'api',
      url: 'https://api.example.com/healthz',
      method: 'HEAD',
      expectedStatus: '200,204',
      bodyContains: 'ok',
      jsonPath: { path: '$.healthy', equals: true },
      timeoutMs: 2000,
      intervalMs: 15_000,
      degradedLatencyMs: 800,
      failureThreshold: 1,
      recoveryThreshold: 1,
      enabled: true,
    });
    // The card reloads and shows the new check.
    expect(
      await screen.findByLabelText('api state: unknown'),
    ).toBeInTheDocument();
  });

  it("shows the server's refusal in the dialog, which stays open", async () => {
    const refusal = await ResponseError.fromResponse(
      new Response(
        JSON.stringify({
          error: {
            name: 'InputError',
            message:
              'intervalMs must be at least 10000 (opshub.health.minInterval)',
          },
          response: { statusCode: 400 },
        }),
        { status: 400, headers: { 'Content-Type': 'application/json' } },
      ),
    );
    const api = fakeApi(
      { state: 'unknown', checks: [], previews: [] },
      {},
      {
        createHealthCheck: jest.fn(async () => {
          throw refusal;
        }),
      },
    );
    await renderCard(api);

    fireEvent.click(await screen.findByRole('button', { name: 'Add check' }));
    const dialog = within(await screen.findByRole('dialog'));
    fireEvent.change(dialog.getByLabelText('Name'), {
      target: { value: 'api' },
    });
    fireEvent.change(dialog.getByLabelText('URL'), {
      target: { value: 'https://api.example.com/' },
    });
    fireEvent.change(dialog.getByLabelText('Interval (ms)'), {
      target: { value: '1000' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));

    expect(await dialog.findByRole('alert')).toHaveTextContent(
      'intervalMs must be at least 10000 (opshub.health.minInterval)',
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();
    expect(api.createHealthCheck).toHaveBeenCalledTimes(1);
  });

  it('refuses to send a form with a bad URL or duration', async () => {
    const api = fakeApi({ state: 'unknown', checks: [], previews: [] });
    await renderCard(api);

    fireEvent.click(await screen.findByRole('button', { name: 'Add check' }));
    const dialog = within(await screen.findByRole('dialog'));
    fireEvent.change(dialog.getByLabelText('Name'), {
      target: { value: 'api' },
    });
    fireEvent.change(dialog.getByLabelText('URL'), {
      target: { value: 'ftp://api.example.com/' },
    });
    fireEvent.change(dialog.getByLabelText('Timeout (ms)'), {
      target: { value: '1.5' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));

    expect(dialog.getByText('An http or https URL')).toBeInTheDocument();
    expect(dialog.getByText('A whole number above 0')).toBeInTheDocument();
    expect(api.createHealthCheck).not.toHaveBeenCalled();
  });

  it('edits only the changed fields, and deletes after a confirmation', async () => {
    const api = fakeApi({ state: 'ok', checks: [check({})], previews: [] });
    await renderCard(api);

    fireEvent.click((await row('api')).getByLabelText('Edit api'));
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByLabelText('URL')).toHaveValue(
      'https://api.example.com/healthz',
    );
    fireEvent.change(dialog.getByLabelText('Interval (ms)'), {
      target: { value: '30000' },
    });
    fireEvent.click(dialog.getByLabelText('Enabled'));
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.updateHealthCheck).toHaveBeenCalledWith(entityRef, 'c1', {
        intervalMs: 30_000,
        enabled: false,
      }),
    );
    expect(await (await row('api')).findByText('paused')).toBeInTheDocument();

    fireEvent.click((await row('api')).getByLabelText('Delete api'));
    const confirm = within(await screen.findByRole('dialog'));
    expect(confirm.getByText('Delete the check api?')).toBeInTheDocument();
    expect(api.deleteHealthCheck).not.toHaveBeenCalled();
    fireEvent.click(confirm.getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('No health checks')).toBeInTheDocument();
    expect(api.deleteHealthCheck).toHaveBeenCalledWith(entityRef, 'c1');
  });

  it("follows the entity's health channel: each message refetches health and samples", async () => {
    const health: OpsHubEntityHealth = {
      state: 'ok',
      checks: [check({})],
      previews: [],
    };
    const samples = { c1: [sample(20), sample(10)] };
    const api = fakeApi(health, samples);
    const signals = fakeSignals();
    await renderCard(api, manager, signals.api);

    expect(await screen.findByLabelText('Health: ok')).toBeInTheDocument();
    expect(screen.getByText('P95 20 ms')).toBeInTheDocument();
    const notify = signals.subscribers.get(channel);
    expect(notify).toBeDefined();

    // The backend probes again: the check is down now.
    health.state = 'down';
    health.checks[0] = check({ state: 'down', lastErrorClass: 'timeout' });
    samples.c1 = [sample(900, 'failure'), ...samples.c1];
    act(() => notify!({ entityRef: 'component:default/web' }));

    expect(await screen.findByLabelText('Health: down')).toBeInTheDocument();
    expect(screen.getByLabelText('api state: down')).toBeInTheDocument();
    expect(await screen.findByText('P95 900 ms')).toBeInTheDocument();
    expect(api.getHealth).toHaveBeenCalledTimes(2);
    expect(api.listHealthSamples).toHaveBeenCalledTimes(2);

    // Back up, signalled again.
    health.state = 'ok';
    health.checks[0] = check({});
    act(() => notify!({ entityRef: 'component:default/web' }));
    expect(await screen.findByLabelText('Health: ok')).toBeInTheDocument();
    expect(api.getHealth).toHaveBeenCalledTimes(3);
  });
});

describe('EntityHealthCard', () => {
  const entity: Entity = {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'web', namespace: 'default' },
    spec: {},
  };

  async function renderOverview(api: OpsHubApi) {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [opshubApiRef, api],
          [signalApiRef, fakeSignals().api],
        ]}
      >
        <EntityProvider entity={entity}>
          <EntityHealthCard />
        </EntityProvider>
      </TestApiProvider>,
    );
  }

  it("shows the page entity's health with the caller's permissions", async () => {
    const api = fakeApi({ state: 'ok', checks: [check({})], previews: [] });
    await renderOverview(api);

    expect(await screen.findByLabelText('Health: ok')).toBeInTheDocument();
    expect(api.getHealth).toHaveBeenCalledWith(entityRef);
    // A viewer reads, and manages nothing.
    expect(screen.queryByText('Add check')).not.toBeInTheDocument();
  });

  it('says health is not available without opshub.health.read', async () => {
    const api = fakeApi(
      { state: 'ok', checks: [], previews: [] },
      {},
      {
        getEffectiveRole: async () => ({
          entityRef: 'component:default/web',
          role: null,
          permissions: {},
        }),
      },
    );
    await renderOverview(api);

    expect(
      await screen.findByText(/Health is not available/),
    ).toBeInTheDocument();
    expect(api.getHealth).not.toHaveBeenCalled();
  });
});
