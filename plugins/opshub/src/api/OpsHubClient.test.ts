import type { OpsHubBinding } from '@opshub/plugin-opshub-common';
import { OpsHubClient } from './OpsHubClient';

const binding: OpsHubBinding = {
  entityRef: 'component:default/storefront',
  repository: 'acme/storefront',
  verified: true,
  verifiedBy: 'approval',
  approvedBy: 'user:default/alice',
  approvedAt: '2026-11-20T10:00:00.000Z',
  problem: null,
};

/** A client whose backend answers every request with `body`, recording them. */
function clientAnswering(body: unknown, status = 200) {
  const requests: { url: string; method?: string; body?: unknown }[] = [];
  const client = new OpsHubClient({
    discoveryApi: {
      getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}`,
    },
    fetchApi: {
      fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
        requests.push({
          url: String(url),
          method: init?.method,
          ...(init?.body !== undefined && {
            body: JSON.parse(String(init.body)),
          }),
        });
        return new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  });
  return { client, requests };
}

describe('OpsHubClient', () => {
  describe('repository bindings', () => {
    it('lists all bindings, or only the unverified ones', async () => {
      const { client, requests } = clientAnswering({ items: [binding] });

      await expect(client.getBindings()).resolves.toEqual([binding]);
      await expect(client.getBindings({ verified: false })).resolves.toEqual([
        binding,
      ]);

      expect(requests).toEqual([
        { url: 'http://backstage.test/api/opshub/org/bindings', method: 'GET' },
        {
          url: 'http://backstage.test/api/opshub/org/bindings?verified=false',
          method: 'GET',
        },
      ]);
    });

    it("approves an entity's binding by its ref, naming the repository", async () => {
      const { client, requests } = clientAnswering(binding);

      await expect(
        client.approveBinding(
          'component:default/storefront',
          'acme/storefront',
        ),
      ).resolves.toEqual(binding);
      await client.approveBinding({
        kind: 'Component',
        namespace: 'team a',
        name: 'web',
      });

      expect(requests).toEqual([
        {
          url: 'http://backstage.test/api/opshub/org/bindings/component/default/storefront',
          method: 'PUT',
          body: { repository: 'acme/storefront' },
        },
        {
          url: 'http://backstage.test/api/opshub/org/bindings/Component/team%20a/web',
          method: 'PUT',
          body: {},
        },
      ]);
    });

    it("revokes an entity's approval", async () => {
      const unapproved = { ...binding, verified: false, verifiedBy: null };
      const { client, requests } = clientAnswering(unapproved);

      await expect(
        client.revokeBinding('component:default/storefront'),
      ).resolves.toEqual(unapproved);

      expect(requests).toEqual([
        {
          url: 'http://backstage.test/api/opshub/org/bindings/component/default/storefront',
          method: 'DELETE',
        },
      ]);
    });

    it("throws the backend's refusal", async () => {
      const { client } = clientAnswering(
        {
          error: { name: 'NotAllowedError', message: 'Requires opshub.admin' },
        },
        403,
      );

      await expect(
        client.getBindings({ verified: false }),
      ).rejects.toMatchObject({ response: { status: 403 } });
    });
  });
});

describe('OpsHubClient environment variables', () => {
  const entity = { kind: 'Component', namespace: 'default', name: 'web' };
  const base =
    'http://backstage.test/api/opshub/entities/Component/default/web';
  const item = {
    environment: 'production',
    name: 'API_URL',
    branch: null,
    sensitive: false,
    value: '••••.com',
    version: 2,
    updatedBy: 'user:default/alice',
    updatedAt: '2026-12-01T10:00:00.000Z',
  };

  /** A client whose backend answers with `respond`, recording every request. */
  function clientWith(respond: () => Response) {
    const requests: {
      url: string;
      method?: string;
      contentType?: string;
      body?: string;
    }[] = [];
    const client = new OpsHubClient({
      discoveryApi: {
        getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}`,
      },
      fetchApi: {
        fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
          const headers = (init?.headers ?? {}) as Record<string, string>;
          requests.push({
            url: String(url),
            method: init?.method,
            ...(headers['Content-Type'] && {
              contentType: headers['Content-Type'],
            }),
            ...(init?.body !== undefined && { body: String(init.body) }),
          });
          return respond();
        },
      },
    });
    return { client, requests };
  }
  const json =
    (body: unknown, status = 200) =>
    () =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });

  it('lists all variables, or those of one environment', async () => {
    const { client, requests } = clientWith(json({ items: [item] }));

    await expect(client.listEnvVars(entity)).resolves.toEqual([item]);
    await client.listEnvVars(entity, { environment: 'preview' });

    expect(requests).toEqual([
      { url: `${base}/envvars`, method: 'GET' },
      { url: `${base}/envvars?environment=preview`, method: 'GET' },
    ]);
  });

  it('puts a value as JSON, telling created (201) from changed (200)', async () => {
    const created = clientWith(json(item, 201));
    await expect(
      created.client.setEnvVar(
        entity,
        { environment: 'production', name: 'API_URL' },
        { value: 'https://x.example.com', sensitive: true, comment: 'new' },
      ),
    ).resolves.toEqual({ item, created: true });
    expect(created.requests).toEqual([
      {
        url: `${base}/envvars/production/API_URL`,
        method: 'PUT',
        contentType: 'application/json',
        body: JSON.stringify({
          value: 'https://x.example.com',
          sensitive: true,
          comment: 'new',
        }),
      },
    ]);

    const changed = clientWith(json(item, 200));
    await expect(
      changed.client.setEnvVar(
        entity,
        { environment: 'preview', name: 'API_URL', branch: 'feat/a b' },
        { value: 'v' },
      ),
    ).resolves.toEqual({ item, created: false });
    expect(changed.requests[0].url).toBe(
      `${base}/envvars/preview/API_URL?branch=feat%2Fa%20b`,
    );
  });

  it('deletes, reveals (POST), lists versions and restores one', async () => {
    const key = { environment: 'preview', name: 'TOKEN', branch: 'main' };
    const { client, requests } = clientWith(
      json({ ...item, value: 'plain', items: [] }),
    );

    await client.deleteEnvVar(entity, key);
    await expect(client.revealEnvVar(entity, key)).resolves.toBe('plain');
    await expect(client.listEnvVarVersions(entity, key)).resolves.toEqual([]);
    await client.restoreEnvVarVersion(entity, key, 3);

    expect(requests).toEqual([
      { url: `${base}/envvars/preview/TOKEN?branch=main`, method: 'DELETE' },
      {
        url: `${base}/envvars/preview/TOKEN/reveal?branch=main`,
        method: 'POST',
      },
      {
        url: `${base}/envvars/preview/TOKEN/versions?branch=main`,
        method: 'GET',
      },
      {
        url: `${base}/envvars/preview/TOKEN/versions/3/restore?branch=main`,
        method: 'POST',
      },
    ]);
  });

  it('imports a .env text as text/plain, as a dry run or for real', async () => {
    const result = { created: 1, updated: 0, unchanged: 0, errors: [] };
    const { client, requests } = clientWith(json(result));

    await expect(
      client.importEnvVars(entity, 'development', 'A=1\n', { dryRun: true }),
    ).resolves.toEqual(result);
    await client.importEnvVars(entity, 'development', 'A=1\n');

    expect(requests).toEqual([
      {
        url: `${base}/envvars/development/import?dryRun=true`,
        method: 'POST',
        contentType: 'text/plain',
        body: 'A=1\n',
      },
      {
        url: `${base}/envvars/development/import`,
        method: 'POST',
        contentType: 'text/plain',
        body: 'A=1\n',
      },
    ]);
  });

  it('exports an environment as text', async () => {
    const { client, requests } = clientWith(
      () =>
        new Response('A=1\n# SECRET (sensitive)\n', {
          headers: { 'Content-Type': 'text/plain' },
        }),
    );

    await expect(client.exportEnvVars(entity, 'production')).resolves.toBe(
      'A=1\n# SECRET (sensitive)\n',
    );
    expect(requests).toEqual([
      { url: `${base}/envvars/production/export`, method: 'GET' },
    ]);
  });

  it("throws the backend's 503 when no key is configured", async () => {
    const { client } = clientWith(
      json(
        {
          error: { name: 'ServiceUnavailableError', message: 'no key' },
        },
        503,
      ),
    );

    await expect(client.listEnvVars(entity)).rejects.toMatchObject({
      response: { status: 503 },
    });
  });
});

describe('OpsHubClient health', () => {
  const entity = { kind: 'Component', namespace: 'default', name: 'web' };
  const base =
    'http://backstage.test/api/opshub/entities/Component/default/web/health';
  const sample = {
    at: '2026-12-01T10:00:00.000Z',
    outcome: 'success',
    latencyMs: 42,
    statusCode: 200,
    errorClass: null,
  };

  /** A client whose backend answers `status` with `body` (none for 204). */
  function clientAnsweringWith(status: number, body?: unknown) {
    const requests: { url: string; method?: string; body?: unknown }[] = [];
    const client = new OpsHubClient({
      discoveryApi: {
        getBaseUrl: async pluginId => `http://backstage.test/api/${pluginId}`,
      },
      fetchApi: {
        fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
          requests.push({
            url: String(url),
            method: init?.method,
            ...(init?.body !== undefined && {
              body: JSON.parse(String(init.body)),
            }),
          });
          return body === undefined
            ? new Response(null, { status })
            : new Response(JSON.stringify(body), {
                status,
                headers: { 'Content-Type': 'application/json' },
              });
        },
      },
    });
    return { client, requests };
  }

  it("reads the entity's health", async () => {
    const health = { state: 'ok', checks: [] };
    const { client, requests } = clientAnsweringWith(200, health);

    await expect(client.getHealth(entity)).resolves.toEqual(health);
    expect(requests).toEqual([{ url: base, method: 'GET' }]);
  });

  it('creates, changes and deletes a check as JSON, durations in ms', async () => {
    const input = {
      name: 'api',
      url: 'https://api.example.com/healthz',
      intervalMs: 30_000,
      timeoutMs: 5_000,
    };
    const created = clientAnsweringWith(201, { id: 'c 1', ...input });
    await expect(
      created.client.createHealthCheck(entity, input),
    ).resolves.toMatchObject({ id: 'c 1' });

    const changed = clientAnsweringWith(200, { id: 'c 1', ...input });
    await changed.client.updateHealthCheck(entity, 'c 1', { enabled: false });

    const deleted = clientAnsweringWith(204);
    await expect(
      deleted.client.deleteHealthCheck(entity, 'c 1'),
    ).resolves.toBeUndefined();

    expect([
      ...created.requests,
      ...changed.requests,
      ...deleted.requests,
    ]).toEqual([
      { url: `${base}/checks`, method: 'POST', body: input },
      {
        url: `${base}/checks/c%201`,
        method: 'PATCH',
        body: { enabled: false },
      },
      { url: `${base}/checks/c%201`, method: 'DELETE' },
    ]);
  });

  it("lists a check's samples and incidents, with the options given", async () => {
    const { client, requests } = clientAnsweringWith(200, [sample]);

    await expect(client.listHealthSamples(entity, 'c1')).resolves.toEqual([
      sample,
    ]);
    await client.listHealthSamples(entity, 'c1', {
      since: '2026-12-01T09:00:00.000Z',
      limit: 60,
    });
    await client.listHealthIncidents(entity, 'c1');
    await client.listHealthIncidents(entity, 'c1', { limit: 5 });

    expect(requests.map(r => r.url)).toEqual([
      `${base}/checks/c1/samples`,
      `${base}/checks/c1/samples?since=2026-12-01T09%3A00%3A00.000Z&limit=60`,
      `${base}/checks/c1/incidents`,
      `${base}/checks/c1/incidents?limit=5`,
    ]);
  });

  it("lists a check's hourly rollups between two times", async () => {
    const rollup = {
      hour: '2026-12-01T09:00:00.000Z',
      count: 60,
      failures: 1,
      degraded: 0,
      p50LatencyMs: 40,
      p95LatencyMs: 90,
      p99LatencyMs: 120,
    };
    const { client, requests } = clientAnsweringWith(200, [rollup]);

    await expect(
      client.listHealthRollups(entity, 'c 1', {
        from: '2026-11-24T10:00:00.000Z',
        to: '2026-12-01T10:00:00.000Z',
      }),
    ).resolves.toEqual([rollup]);
    expect(requests).toEqual([
      {
        url: `${base}/checks/c%201/rollups?from=2026-11-24T10%3A00%3A00.000Z&to=2026-12-01T10%3A00%3A00.000Z`,
        method: 'GET',
      },
    ]);
  });

  it("adds a check's maintenance window as JSON and deletes one (204)", async () => {
    const input = {
      kind: 'weekly' as const,
      days: ['sat' as const],
      startTime: '02:00',
      durationMinutes: 60,
      timeZone: 'Europe/Berlin',
      reason: 'backups',
    };
    const window = {
      ...input,
      id: 'w 1',
      checkId: 'c1',
      createdBy: 'user:default/alice',
      createdAt: '2026-12-01T10:00:00.000Z',
    };
    const added = clientAnsweringWith(201, window);
    await expect(
      added.client.addMaintenanceWindow(entity, 'c1', input),
    ).resolves.toEqual(window);

    const deleted = clientAnsweringWith(204);
    await expect(
      deleted.client.deleteMaintenanceWindow(entity, 'c1', 'w 1'),
    ).resolves.toBeUndefined();

    expect([...added.requests, ...deleted.requests]).toEqual([
      { url: `${base}/checks/c1/maintenance`, method: 'POST', body: input },
      { url: `${base}/checks/c1/maintenance/w%201`, method: 'DELETE' },
    ]);
  });

  it("throws the backend's refusal, its message kept", async () => {
    const { client } = clientAnsweringWith(409, {
      error: {
        name: 'ConflictError',
        message: 'Edit the opshub.dev/health-url annotation instead',
      },
    });

    await expect(client.deleteHealthCheck(entity, 'c1')).rejects.toMatchObject({
      response: { status: 409 },
      body: { error: { message: /annotation/ } },
    });
  });
});

describe('OpsHubClient deploy analytics', () => {
  const entity = { kind: 'Component', namespace: 'team a', name: 'web' };

  it("reads an entity's analytics for a window, with or without an environment", async () => {
    const analytics = { from: '2026-11-01', to: '2026-11-30' };
    const { client, requests } = clientAnswering(analytics);

    await expect(
      client.getDeployAnalytics(entity, {
        from: '2026-11-01',
        to: '2026-11-30',
        environment: 'production',
      }),
    ).resolves.toEqual(analytics);
    await client.getDeployAnalytics(entity, {
      from: '2026-11-01',
      to: '2026-11-30',
    });

    expect(requests).toEqual([
      {
        url: 'http://backstage.test/api/opshub/entities/Component/team%20a/web/analytics?from=2026-11-01&to=2026-11-30&environment=production',
        method: 'GET',
      },
      {
        url: 'http://backstage.test/api/opshub/entities/Component/team%20a/web/analytics?from=2026-11-01&to=2026-11-30',
        method: 'GET',
      },
    ]);
  });

  it('pages through the org overview with a limit and a cursor', async () => {
    const overview = { items: [], nextCursor: null };
    const { client, requests } = clientAnswering(overview);

    await expect(
      client.getAnalyticsOverview({ from: '2026-11-01', to: '2026-11-30' }),
    ).resolves.toEqual(overview);
    await client.getAnalyticsOverview({
      from: '2026-11-01',
      to: '2026-11-30',
      limit: 20,
      after: 'abc+/=',
    });

    expect(requests.map(r => r.url)).toEqual([
      'http://backstage.test/api/opshub/analytics/overview?from=2026-11-01&to=2026-11-30',
      'http://backstage.test/api/opshub/analytics/overview?from=2026-11-01&to=2026-11-30&limit=20&after=abc%2B%2F%3D',
    ]);
  });

  it("reads a group's DORA analytics for a window", async () => {
    const group = { groupRef: 'group:team a/web team', entities: [] };
    const { client, requests } = clientAnswering(group);

    await expect(
      client.getGroupAnalytics({
        namespace: 'team a',
        name: 'web team',
        from: '2026-11-01',
        to: '2026-11-30',
      }),
    ).resolves.toEqual(group);
    expect(requests).toEqual([
      {
        url: 'http://backstage.test/api/opshub/analytics/groups/team%20a/web%20team?from=2026-11-01&to=2026-11-30',
        method: 'GET',
      },
    ]);
  });

  it("throws the backend's refusal of a window", async () => {
    const { client } = clientAnswering(
      { error: { name: 'InputError', message: 'from is after to' } },
      400,
    );

    await expect(
      client.getDeployAnalytics(entity, {
        from: '2026-12-01',
        to: '2026-11-01',
      }),
    ).rejects.toMatchObject({ response: { status: 400 } });
  });
});
