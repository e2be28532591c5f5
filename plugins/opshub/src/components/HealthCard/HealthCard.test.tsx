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
  OpsHubHealthRollup,
  OpsHubHealthSample,
  OpsHubMaintenanceWindow,
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
import { healthCheck as check } from '../../__testUtils__/healthCheck';
import { EntityHealthCard } from './EntityHealthCard';
import { HealthCard } from './HealthCard';

const entityRef = { kind: 'Component', namespace: 'default', name: 'web' };
const channel = 'opshub.health:component:default/web';

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

function rollup(
  hour: string,
  p95LatencyMs: number | null,
  failures = 0,
): OpsHubHealthRollup {
  return {
    hour,
    count: 60,
    failures,
    degraded: 0,
    p50LatencyMs: p95LatencyMs,
    p95LatencyMs,
    p99LatencyMs: p95LatencyMs,
  };
}

const browserZone = new Intl.DateTimeFormat().resolvedOptions().timeZone;

const weeklyBackup: OpsHubMaintenanceWindow = {
  id: 'w1',
  checkId: 'c1',
  kind: 'weekly',
  days: ['sat'],
  startTime: '02:00',
  durationMinutes: 60,
  timeZone: 'Europe/Berlin',
  reason: 'backups',
  createdBy: 'user:default/alice',
  createdAt: '2026-11-30T10:00:00.000Z',
};

/** A backend holding `health` (change it and signal), recording calls. */
function fakeApi(
  health: OpsHubEntityHealth,
  samples: Record<string, OpsHubHealthSample[]> = {},
  overrides: Partial<OpsHubApi> = {},
  rollups: Record<string, OpsHubHealthRollup[]> = {},
) {
  const checkOf = (id: string) => health.checks.find(c => c.id === id)!;
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
    listHealthRollups: jest.fn(
      async (_e, id: string, _range: { from: string; to: string }) =>
        rollups[id] ?? [],
    ),
    addMaintenanceWindow: jest.fn(async (_e, id: string, input) => {
      const window = {
        reason: null,
        ...input,
        id: `w${checkOf(id).maintenance.length + 10}`,
        checkId: id,
        createdBy: 'user:default/guest',
        createdAt: new Date().toISOString(),
      } as OpsHubMaintenanceWindow;
      checkOf(id).maintenance.push(window);
      return window;
    }),
    deleteMaintenanceWindow: jest.fn(async (_e, id: string, windowId) => {
      const owner = checkOf(id);
      owner.maintenance = owner.maintenance.filter(w => w.id !== windowId);
    }),
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
    expect(
      screen.queryByLabelText('Maintenance of api'),
    ).not.toBeInTheDocument();
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
    expect(dialog.getByText(/Secret headers/)).toHaveTextContent(
      '${env:API_TOKEN}',
    );
    fireEvent.click(dialog.getByRole('button', { name: 'Add header' }));
    type('Header 1 name', 'Authorization');
    type('Header 1 value', 'Bearer ${env:API_TOKEN}');
    fireEvent.click(dialog.getByRole('button', { name: 'Add header' }));
    type('Header 2 name', 'Accept');
    type('Header 2 value', 'application/json');
    // A blank row says nothing and is left out.
    fireEvent.click(dialog.getByRole('button', { name: 'Add header' }));
    type('Certificate expiry (days)', '14');
    type('Alert cooldown (minutes)', '30');
    type('Reminder interval (hours)', '0');
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
      headers: {
        Authorization: 'Bearer ${env:API_TOKEN}',
        Accept: 'application/json',
      },
      certExpiryDays: 14,
      alertCooldownMs: 1_800_000,
      reminderIntervalMs: 0,
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
    fireEvent.change(dialog.getByLabelText('Certificate expiry (days)'), {
      target: { value: '400' },
    });
    fireEvent.change(dialog.getByLabelText('Alert cooldown (minutes)'), {
      target: { value: '-1' },
    });
    for (const n of [1, 2]) {
      fireEvent.click(dialog.getByRole('button', { name: 'Add header' }));
      fireEvent.change(dialog.getByLabelText(`Header ${n} name`), {
        target: { value: n === 1 ? 'X-Team' : 'x-team' },
      });
    }
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));

    expect(dialog.getByText('An http or https URL')).toBeInTheDocument();
    expect(dialog.getByText('A whole number above 0')).toBeInTheDocument();
    expect(
      dialog.getByText('A whole number of days from 1 to 365, or empty'),
    ).toBeInTheDocument();
    expect(
      dialog.getByText('A number of minutes, 0 or more'),
    ).toBeInTheDocument();
    expect(dialog.getByText('x-team is given twice')).toBeInTheDocument();
    expect(api.createHealthCheck).not.toHaveBeenCalled();
  });

  it('edits only the changed fields, and deletes after a confirmation', async () => {
    const api = fakeApi({
      state: 'ok',
      checks: [check({ headers: { 'X-Env': 'prod' }, certExpiryDays: 7 })],
      previews: [],
    });
    await renderCard(api);

    fireEvent.click((await row('api')).getByLabelText('Edit api'));
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByLabelText('URL')).toHaveValue(
      'https://api.example.com/healthz',
    );
    expect(dialog.getByLabelText('Header 1 name')).toHaveValue('X-Env');
    expect(dialog.getByLabelText('Header 1 value')).toHaveValue('prod');
    expect(dialog.getByLabelText('Certificate expiry (days)')).toHaveValue('7');
    // 900,000 ms and 14,400,000 ms, in the units the form shows.
    expect(dialog.getByLabelText('Alert cooldown (minutes)')).toHaveValue('15');
    expect(dialog.getByLabelText('Reminder interval (hours)')).toHaveValue('4');
    fireEvent.change(dialog.getByLabelText('Interval (ms)'), {
      target: { value: '30000' },
    });
    fireEvent.click(dialog.getByLabelText('Enabled'));
    fireEvent.click(dialog.getByLabelText('Remove header 1'));
    fireEvent.change(dialog.getByLabelText('Alert cooldown (minutes)'), {
      target: { value: '5' },
    });
    fireEvent.change(dialog.getByLabelText('Reminder interval (hours)'), {
      target: { value: '0.5' },
    });
    fireEvent.click(dialog.getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(api.updateHealthCheck).toHaveBeenCalledWith(entityRef, 'c1', {
        intervalMs: 30_000,
        enabled: false,
        headers: {},
        alertCooldownMs: 300_000,
        reminderIntervalMs: 1_800_000,
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

  it('shows 7 or 30 days of hourly P95 latency from the rollups', async () => {
    const api = fakeApi(
      {
        state: 'ok',
        checks: [
          check({}),
          check({
            id: 'c3',
            name: 'fresh',
            state: 'unknown',
            lastProbeAt: null,
          }),
        ],
        previews: [],
      },
      { c1: [sample(20), sample(10)] },
      {},
      {
        c1: [
          rollup('2026-11-30T08:00:00.000Z', 120),
          rollup('2026-11-30T09:00:00.000Z', null, 60),
          rollup('2026-11-30T10:00:00.000Z', 300, 2),
          rollup('2026-11-30T11:00:00.000Z', 90),
        ],
      },
    );
    await renderCard(api);

    expect(await screen.findByText('P95 20 ms')).toBeInTheDocument();
    expect(screen.getByText('Latency (24 h)')).toBeInTheDocument();
    expect(api.listHealthRollups).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: '7 d' }));
    const ok = await row('api');
    expect(
      await ok.findByRole('img', {
        name: 'Hourly P95 latency of api over 7 days, 1 hour with failures',
      }),
    ).toBeInTheDocument();
    // The worst hour; the hour without a successful probe has no P95.
    expect(ok.getByText('P95 up to 300 ms')).toBeInTheDocument();
    expect(ok.getAllByTestId('failed-probe')).toHaveLength(1);
    expect(screen.getByText('Latency (7 d)')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '7 d' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
    // Only the probed check's rollups, over the last 7 days.
    expect(api.listHealthRollups).toHaveBeenCalledTimes(1);
    const [, id, week] = jest.mocked(api.listHealthRollups).mock.calls[0];
    expect(id).toBe('c1');
    expect(Date.parse(week.to) - Date.parse(week.from)).toBe(7 * 86_400_000);
    expect(Math.abs(Date.parse(week.to) - Date.now())).toBeLessThan(60_000);

    fireEvent.click(screen.getByRole('button', { name: '30 d' }));
    expect(
      await ok.findByRole('img', {
        name: 'Hourly P95 latency of api over 30 days, 1 hour with failures',
      }),
    ).toBeInTheDocument();
    expect(api.listHealthRollups).toHaveBeenCalledTimes(2);
    const [, , month] = jest.mocked(api.listHealthRollups).mock.calls[1];
    expect(Date.parse(month.to) - Date.parse(month.from)).toBe(30 * 86_400_000);

    // Back to the latest probes.
    fireEvent.click(screen.getByRole('button', { name: '24 h' }));
    expect(await ok.findByText('P95 20 ms')).toBeInTheDocument();
    expect(api.listHealthRollups).toHaveBeenCalledTimes(2);
  });

  it("adds maintenance windows once or weekly in the browser's time zone, and deletes one after a confirmation", async () => {
    const api = fakeApi({
      state: 'maintenance',
      checks: [check({ state: 'maintenance', maintenance: [weeklyBackup] })],
      previews: [],
    });
    await renderCard(api);

    expect(
      await screen.findByLabelText('api state: maintenance'),
    ).toHaveTextContent('maintenance');
    expect(screen.getByLabelText('Health: maintenance')).toBeInTheDocument();
    fireEvent.click((await row('api')).getByLabelText('Maintenance of api'));
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Maintenance of api' }),
    );
    expect(
      dialog.getByText('Every Sat at 02:00 for 60 min (Europe/Berlin)'),
    ).toBeInTheDocument();
    expect(
      dialog.getByText('backups · by user:default/alice'),
    ).toBeInTheDocument();

    // Once, in the browser's zone.
    const type = (label: string, value: string) =>
      fireEvent.change(dialog.getByLabelText(label), { target: { value } });
    expect(dialog.getByLabelText('Time zone')).toHaveValue(browserZone);
    type('Starts at', '2026-12-24T22:00');
    type('Ends at', '2026-12-25T02:00');
    type('Reason', 'release');
    fireEvent.click(dialog.getByRole('button', { name: 'Add window' }));
    await waitFor(() =>
      expect(api.addMaintenanceWindow).toHaveBeenCalledWith(entityRef, 'c1', {
        kind: 'once',
        startsAt: '2026-12-24T22:00',
        endsAt: '2026-12-25T02:00',
        timeZone: browserZone,
        reason: 'release',
      }),
    );
    expect(
      await dialog.findByText(/^2026-12-24 22:00 – 2026-12-25 02:00/),
    ).toBeInTheDocument();

    // Weekly, the days in the week's order whatever order they are ticked in.
    type('Repeats', 'weekly');
    fireEvent.click(dialog.getByLabelText('Sun'));
    fireEvent.click(dialog.getByLabelText('Sat'));
    type('Start time', '03:30');
    type('Duration (minutes)', '90');
    type('Time zone', 'America/New_York');
    fireEvent.click(dialog.getByRole('button', { name: 'Add window' }));
    await waitFor(() =>
      expect(api.addMaintenanceWindow).toHaveBeenLastCalledWith(
        entityRef,
        'c1',
        {
          kind: 'weekly',
          days: ['sat', 'sun'],
          startTime: '03:30',
          durationMinutes: 90,
          timeZone: 'America/New_York',
          reason: null,
        },
      ),
    );
    expect(
      await dialog.findByText(
        'Every Sat, Sun at 03:30 for 90 min (America/New_York)',
      ),
    ).toBeInTheDocument();

    // Deleted only once confirmed.
    fireEvent.click(
      dialog.getByLabelText('Delete the window Every Sat at 02:00 for 60 min'),
    );
    const confirm = within(
      await screen.findByRole('dialog', {
        name: 'Delete the window Every Sat at 02:00 for 60 min?',
      }),
    );
    expect(api.deleteMaintenanceWindow).not.toHaveBeenCalled();
    fireEvent.click(confirm.getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(
        dialog.queryByText('Every Sat at 02:00 for 60 min (Europe/Berlin)'),
      ).not.toBeInTheDocument(),
    );
    expect(api.deleteMaintenanceWindow).toHaveBeenCalledWith(
      entityRef,
      'c1',
      'w1',
    );
    expect(
      (await row('api')).getByText('2 maintenance windows'),
    ).toBeInTheDocument();
  });

  it('refuses a maintenance window without days, or ending before it starts', async () => {
    const api = fakeApi({ state: 'ok', checks: [check({})], previews: [] });
    await renderCard(api);

    fireEvent.click((await row('api')).getByLabelText('Maintenance of api'));
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Maintenance of api' }),
    );
    expect(dialog.getByText('No maintenance windows.')).toBeInTheDocument();
    const type = (label: string, value: string) =>
      fireEvent.change(dialog.getByLabelText(label), { target: { value } });
    type('Starts at', '2026-12-24T22:00');
    type('Ends at', '2026-12-24T21:00');
    type('Time zone', 'Mars/Olympus');
    fireEvent.click(dialog.getByRole('button', { name: 'Add window' }));
    expect(dialog.getByText('After the start')).toBeInTheDocument();
    expect(
      dialog.getByText('A time zone such as Europe/Berlin'),
    ).toBeInTheDocument();

    type('Repeats', 'weekly');
    fireEvent.click(dialog.getByRole('button', { name: 'Add window' }));
    expect(dialog.getByText('At least one day')).toBeInTheDocument();
    expect(api.addMaintenanceWindow).not.toHaveBeenCalled();
  });

  it('shows maintenance windows read-only without opshub.health.manage', async () => {
    const api = fakeApi({
      state: 'ok',
      checks: [check({ maintenance: [weeklyBackup] })],
      previews: [],
    });
    await renderCard(api, { 'opshub.health.read': true });

    const ok = await row('api');
    expect(ok.queryByLabelText('Maintenance of api')).not.toBeInTheDocument();
    fireEvent.click(ok.getByText('1 maintenance window'));
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Maintenance of api' }),
    );
    expect(
      dialog.getByText('Every Sat at 02:00 for 60 min (Europe/Berlin)'),
    ).toBeInTheDocument();
    expect(dialog.queryByRole('button', { name: 'Add window' })).toBeNull();
    expect(dialog.queryByLabelText(/^Delete the window/)).toBeNull();
    expect(dialog.queryByLabelText('Time zone')).toBeNull();
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
    health.checks[0] = check({
      state: 'down',
      lastErrorClass: 'timeout',
      lastErrorMessage: 'api.example.com did not answer in time (10000 ms)',
    });
    samples.c1 = [sample(900, 'failure'), ...samples.c1];
    act(() => notify!({ entityRef: 'component:default/web' }));

    expect(await screen.findByLabelText('Health: down')).toBeInTheDocument();
    expect(screen.getByLabelText('api state: down')).toBeInTheDocument();
    expect(await screen.findByText('P95 900 ms')).toBeInTheDocument();
    // Why it failed, in words.
    expect(
      screen.getByText('api.example.com did not answer in time (10000 ms)'),
    ).toBeInTheDocument();
    expect(api.getHealth).toHaveBeenCalledTimes(2);
    expect(api.listHealthSamples).toHaveBeenCalledTimes(2);

    // Back up, signalled again.
    health.state = 'ok';
    health.checks[0] = check({});
    act(() => notify!({ entityRef: 'component:default/web' }));
    expect(await screen.findByLabelText('Health: ok')).toBeInTheDocument();
    expect(
      screen.queryByText('api.example.com did not answer in time (10000 ms)'),
    ).not.toBeInTheDocument();
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
