import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type { Knex } from 'knex';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseHealthStore } from './DatabaseHealthStore';
import { firstProbeAtMs } from './firstProbe';
import { NetworkPolicy } from './probe/networkPolicy';
import { syncAnnotationChecks } from './syncAnnotationChecks';
import { useConnectionGuard } from './__testUtils__/connectionGuard';

jest.setTimeout(60_000);

const databases = createTestDatabases();
// Every connect outside 127.0.0.1 and ::1 fails the test.
useConnectionGuard();
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const HEALTH_URL = 'opshub.dev/health-url';

function entity(
  kind: string,
  name: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default', annotations },
    spec: {},
  };
}

describe.each(databases.eachSupportedId())('syncAnnotationChecks on %s', id => {
  let knex: Knex;
  let store: DatabaseHealthStore;
  let clock: number;
  const logger = mockServices.logger.mock();
  const changed = jest.fn();

  beforeEach(async () => {
    knex = await databases.init(id);
    await migrateUp(knex);
    store = new DatabaseHealthStore(knex);
    clock = NOW;
    jest.clearAllMocks();
  });

  /** One sync against a catalog of `entities`. */
  const sync = (entities: Entity[]) =>
    syncAnnotationChecks({
      catalog: catalogServiceMock({ entities }),
      auth: mockServices.auth(),
      store,
      policy: new NetworkPolicy({
        allowPrivateNetworks: false,
        allowedNetworks: [],
      }),
      logger,
      changed,
      now: () => clock,
    });

  it('creates one check with the defaults per annotated entity, of any kind, scheduled within 10 s', async () => {
    const result = await sync([
      entity('Component', 'Storefront', {
        [HEALTH_URL]: 'https://storefront.example/healthz',
      }),
      entity('Resource', 'db', { [HEALTH_URL]: 'http://db.example:8080/' }),
      entity('Component', 'plain', { 'github.com/project-slug': 'a/b' }),
    ]);

    expect(result).toEqual({ created: 2, updated: 0, deleted: 0 });
    const [check] = await store.listChecks('component:default/storefront');
    expect(check).toMatchObject({
      entityRef: 'component:default/storefront',
      source: 'annotation',
      name: 'health-url',
      url: 'https://storefront.example/healthz',
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
      state: 'unknown',
      nextProbeAtMs: firstProbeAtMs(check.id, 60_000, NOW),
    });
    expect(check.nextProbeAtMs).toBeLessThan(NOW + 10_000);
    expect(await store.listChecks('resource:default/db')).toEqual([
      expect.objectContaining({ url: 'http://db.example:8080/' }),
    ]);
    expect(await store.listChecks('component:default/plain')).toEqual([]);
    expect(changed.mock.calls.map(c => c[0]).sort()).toEqual([
      'component:default/storefront',
      'resource:default/db',
    ]);
    expect(logger.info).toHaveBeenCalledWith(
      'Health annotation sync: 2 opshub.dev/health-url annotations (2 created, 0 updated, 0 deleted, 0 with a configuration error)',
    );

    // Nothing changed: nothing written, nothing announced.
    changed.mockClear();
    clock = NOW + 60_000;
    expect(
      await sync([
        entity('Component', 'Storefront', {
          [HEALTH_URL]: 'https://storefront.example/healthz',
        }),
        entity('Resource', 'db', {
          [HEALTH_URL]: 'http://db.example:8080/',
        }),
      ]),
    ).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(await store.getCheck(check.entityRef, check.id)).toEqual(check);
    expect(changed).not.toHaveBeenCalled();
  });

  it('follows a changed URL (rescheduled) and deletes the check with its annotation or entity', async () => {
    await sync([
      entity('Component', 'storefront', {
        [HEALTH_URL]: 'https://storefront.example/healthz',
      }),
      entity('Component', 'billing', {
        [HEALTH_URL]: 'https://billing.example/healthz',
      }),
      entity('Component', 'orders', {
        [HEALTH_URL]: 'https://orders.example/healthz',
      }),
    ]);
    const [storefront] = await store.listChecks('component:default/storefront');
    const [billing] = await store.listChecks('component:default/billing');
    await store.updateCheck(storefront.entityRef, storefront.id, {
      nextProbeAtMs: NOW + 3_600_000,
    });
    changed.mockClear();
    clock = NOW + 120_000;

    const result = await sync([
      entity('Component', 'storefront', {
        [HEALTH_URL]: 'https://storefront.example/v2/healthz',
      }),
      // Its annotation removed; orders gone from the catalog.
      entity('Component', 'billing'),
    ]);

    expect(result).toEqual({ created: 0, updated: 1, deleted: 2 });
    expect(
      await store.getCheck(storefront.entityRef, storefront.id),
    ).toMatchObject({
      url: 'https://storefront.example/v2/healthz',
      nextProbeAtMs: firstProbeAtMs(storefront.id, 60_000, NOW + 120_000),
    });
    expect(await store.getCheck(billing.entityRef, billing.id)).toBeUndefined();
    expect(await store.listChecks('component:default/orders')).toEqual([]);
    expect(await store.listAnnotationChecks()).toHaveLength(1);
    expect(changed.mock.calls.map(c => c[0]).sort()).toEqual([
      'component:default/billing',
      'component:default/orders',
      'component:default/storefront',
    ]);
  });

  it('keeps a check of a malformed or refused URL unscheduled with its configuration error, cleared once fixed', async () => {
    const result = await sync([
      entity('Component', 'metadata', {
        [HEALTH_URL]: 'http://169.254.169.254/latest/meta-data/',
      }),
      entity('Component', 'local', { [HEALTH_URL]: 'http://127.0.0.1:7007/' }),
      entity('Component', 'ftp', { [HEALTH_URL]: 'ftp://files.example/' }),
      entity('Component', 'secret', {
        [HEALTH_URL]: 'https://user:hunter2@api.example/',
      }),
    ]);
    expect(result).toEqual({ created: 4, updated: 0, deleted: 0 });
    const checkOf = async (name: string) =>
      (await store.listChecks(`component:default/${name}`))[0];
    expect(await checkOf('metadata')).toMatchObject({
      url: 'http://169.254.169.254/latest/meta-data/',
      configError: expect.stringMatching(
        /^opshub\.dev\/health-url is refused: 169\.254\.169\.254 is link-local/,
      ),
      nextProbeAtMs: null,
    });
    expect((await checkOf('local')).configError).toMatch(
      /^opshub\.dev\/health-url is refused: 127\.0\.0\.1 is loopback \(.*opshub\.health\.allowedNetworks/,
    );
    expect(await checkOf('ftp')).toMatchObject({
      url: 'ftp://files.example/',
      configError: 'opshub.dev/health-url must be an http(s) URL',
      nextProbeAtMs: null,
    });
    expect((await checkOf('secret')).configError).toBe(
      'opshub.dev/health-url must not contain a user name or password',
    );
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining('4 with a configuration error'),
    );

    clock = NOW + 5_000;
    const fixed = await sync([
      entity('Component', 'metadata', {
        [HEALTH_URL]: 'https://metadata.example/healthz',
      }),
      entity('Component', 'local', { [HEALTH_URL]: 'http://127.0.0.1:7007/' }),
      entity('Component', 'ftp', { [HEALTH_URL]: 'ftp://files.example/' }),
      entity('Component', 'secret', {
        [HEALTH_URL]: 'https://user:hunter2@api.example/',
      }),
    ]);
    expect(fixed).toEqual({ created: 0, updated: 1, deleted: 0 });
    const metadata = await checkOf('metadata');
    expect(metadata).toMatchObject({
      url: 'https://metadata.example/healthz',
      configError: null,
      nextProbeAtMs: firstProbeAtMs(metadata.id, 60_000, NOW + 5_000),
    });
    // A URL may be refused again later: the check stops being probed.
    expect(
      await sync([
        entity('Component', 'metadata', {
          [HEALTH_URL]: 'http://[::ffff:a9fe:a9fe]/',
        }),
        entity('Component', 'local', {
          [HEALTH_URL]: 'http://127.0.0.1:7007/',
        }),
        entity('Component', 'ftp', { [HEALTH_URL]: 'ftp://files.example/' }),
        entity('Component', 'secret', {
          [HEALTH_URL]: 'https://user:hunter2@api.example/',
        }),
      ]),
    ).toEqual({ created: 0, updated: 1, deleted: 0 });
    expect(await checkOf('metadata')).toMatchObject({
      configError: expect.stringMatching(/link-local/),
      nextProbeAtMs: null,
    });
  });

  it('leaves an API check named health-url alone, with a warning, and adds no annotation check', async () => {
    const api = await store.createCheck({
      headers: {},
      certExpiryDays: null,
      alertCooldownMs: 900_000,
      reminderIntervalMs: 14_400_000,
      entityRef: 'component:default/storefront',
      name: 'health-url',
      source: 'api',
      url: 'https://made-by-hand.example/',
      method: 'HEAD',
      expectedStatus: '200',
      bodyContains: null,
      jsonPath: null,
      timeoutMs: 5_000,
      intervalMs: 30_000,
      degradedLatencyMs: null,
      failureThreshold: 2,
      recoveryThreshold: 1,
      enabled: true,
      configError: null,
      nextProbeAtMs: NOW + 1_000,
      createdBy: 'user:default/someone',
    });

    const result = await sync([
      entity('Component', 'storefront', {
        [HEALTH_URL]: 'https://storefront.example/healthz',
      }),
    ]);

    expect(result).toEqual({ created: 0, updated: 0, deleted: 0 });
    expect(await store.listChecks('component:default/storefront')).toEqual([
      api,
    ]);
    expect(logger.warn).toHaveBeenCalledWith(
      'component:default/storefront has a health check named health-url made through the API: its opshub.dev/health-url annotation is not applied until that check is renamed or deleted',
    );
    expect(changed).not.toHaveBeenCalled();
    // Without the annotation the API check stays too.
    expect(await sync([entity('Component', 'storefront')])).toEqual({
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(await store.listChecks('component:default/storefront')).toEqual([
      api,
    ]);
  });
});
