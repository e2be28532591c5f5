import { mockServices } from '@backstage/backend-test-utils';
import type { JsonObject, JsonValue } from '@backstage/types';
import { readOpsHubConfig } from './config';

describe('readOpsHubConfig', () => {
  it('fills in the documented defaults', () => {
    const config = readOpsHubConfig(mockServices.rootConfig({ data: {} }));
    expect(config.github).toEqual({
      webhookSecret: undefined,
      additionalWebhookSecrets: [],
      maxPayloadBytes: 25 * 1024 * 1024,
      maxConcurrentDeliveries: 32,
      bodyTimeoutMs: 10_000,
      maxBufferedBytes: 128 * 1024 * 1024,
      deliveryRetentionMs: 14 * 24 * 3600_000,
      contentWritesPerMinute: 60,
      approvedBindings: [],
    });
    expect(config.projects).toEqual({ requireVerifiedBinding: true });
    expect(config.previews).toEqual({
      buildDrafts: false,
      skipLabel: 'opshub/skip',
      skipAuthors: ['dependabot[bot]', 'renovate[bot]'],
      ttlMs: 7 * 24 * 3600_000,
      maxLive: 10,
      checkIntervalMs: 5_000,
      buildTimeoutMs: 30 * 60_000,
      stuckAfterMs: 45 * 60_000,
    });
    expect(config.queue).toEqual({
      concurrency: 4,
      leaseMs: 30_000,
      pollIntervalMs: 2_000,
      recoveryIntervalMs: 10_000,
      shutdownGraceMs: 10_000,
      backoff: { baseMs: 1_000, capMs: 300_000 },
      typeConcurrency: {},
      retentionMs: 7 * 24 * 3600_000,
      maxAttempts: 5,
      maxEventLoopUtilization: 0.7,
      callTimeoutMs: 30_000,
    });
    expect(config.projectSyncSchedule.frequency).toEqual({ minutes: 5 });
    expect(config.rbac).toEqual({
      implicitOwnerRole: 'maintainer',
      orgOwners: [],
      mutationsPerMinute: 60,
      servicePrincipals: [],
    });
  });

  it('reads the attempts and the call timeout of jobs, and refuses attempts below 1', () => {
    const read = (queue: JsonObject) =>
      readOpsHubConfig(mockServices.rootConfig({ data: { opshub: { queue } } }))
        .queue;
    expect(read({ maxAttempts: 3, callTimeout: '5s' })).toMatchObject({
      maxAttempts: 3,
      callTimeoutMs: 5_000,
    });
    expect(read({ callTimeout: { milliseconds: 250 } }).callTimeoutMs).toBe(
      250,
    );
    expect(() => read({ maxAttempts: 0 })).toThrow(
      'opshub.queue.maxAttempts must be a whole number of at least 1, not 0',
    );
    expect(() => read({ callTimeout: { seconds: 0 } })).toThrow(
      'opshub.queue.callTimeout must be longer than zero',
    );
  });

  it('reads how busy the event loop may be before fewer jobs run at once, from above 0 to 1', () => {
    const read = (queue: JsonObject) =>
      readOpsHubConfig(mockServices.rootConfig({ data: { opshub: { queue } } }))
        .queue.maxEventLoopUtilization;
    expect(read({ maxEventLoopUtilization: 1 })).toBe(1);
    expect(read({ maxEventLoopUtilization: 0.5 })).toBe(0.5);
    for (const share of [0, 1.5]) {
      expect(() => read({ maxEventLoopUtilization: share })).toThrow(
        `opshub.queue.maxEventLoopUtilization must be above 0 and at most 1, not ${share}`,
      );
    }
  });

  it('reads the approved bindings in lower case, and requireVerifiedBinding', () => {
    const read = (data: JsonObject) =>
      readOpsHubConfig(mockServices.rootConfig({ data: { opshub: data } }));
    const config = read({
      github: {
        approvedBindings: [
          { entityRef: 'Component:default/Storefront', repository: 'Acme/Web' },
          { entityRef: 'docs', repository: 'acme/docs' },
        ],
      },
      projects: { requireVerifiedBinding: false },
    });
    expect(config.github.approvedBindings).toEqual([
      { entityRef: 'component:default/storefront', repository: 'acme/web' },
      { entityRef: 'component:default/docs', repository: 'acme/docs' },
    ]);
    expect(config.projects.requireVerifiedBinding).toBe(false);
    expect(() =>
      read({
        github: {
          approvedBindings: [
            { entityRef: 'component:default/x', repository: 'acme' },
          ],
        },
      }),
    ).toThrow(
      "opshub.github.approvedBindings[0].repository must be owner/name, not 'acme'",
    );
    expect(() =>
      read({
        github: {
          approvedBindings: [
            { entityRef: 'component:default/', repository: 'acme/x' },
          ],
        },
      }),
    ).toThrow(/approvedBindings\[0\]\.entityRef must be an entity ref/);
  });

  it('reads the implicit owner role, which false turns off', () => {
    const read = (implicitOwnerRole: string | boolean) =>
      readOpsHubConfig(
        mockServices.rootConfig({
          data: { opshub: { rbac: { implicitOwnerRole } } },
        }),
      ).rbac.implicitOwnerRole;
    expect(read('viewer')).toBe('viewer');
    expect(read(false)).toBeUndefined();
    expect(() => read('boss')).toThrow(
      "opshub.rbac.implicitOwnerRole must be one of viewer, developer, maintainer, owner or false, not 'boss'",
    );
  });

  it('reads org owners as lower-case user and group refs, and the mutation limit', () => {
    const rbac = (data: JsonObject) =>
      readOpsHubConfig(
        mockServices.rootConfig({ data: { opshub: { rbac: data } } }),
      ).rbac;
    expect(
      rbac({
        orgOwners: ['User:default/Jane', 'group:platform/ops'],
        mutationsPerMinute: 5,
      }),
    ).toMatchObject({
      orgOwners: ['user:default/jane', 'group:platform/ops'],
      mutationsPerMinute: 5,
    });
    expect(() => rbac({ orgOwners: ['jane'] })).toThrow(
      "opshub.rbac.orgOwners entries must be user or group refs like user:default/jane, not 'jane'",
    );
    expect(() => rbac({ orgOwners: ['component:default/x'] })).toThrow(
      /not 'component:default\/x'/,
    );
  });

  describe('opshub.rbac.servicePrincipals', () => {
    const servicePrincipals = (value: JsonValue) =>
      readOpsHubConfig(
        mockServices.rootConfig({
          data: { opshub: { rbac: { servicePrincipals: value } } },
        }),
      ).rbac.servicePrincipals;

    it('reads each subject with its role', () => {
      const entries = [
        { subject: 'plugin:mcp-actions', role: 'viewer' },
        { subject: 'external:ci', role: 'owner' },
      ];
      expect(servicePrincipals(entries)).toEqual(entries);
    });

    it.each<[string, JsonValue, string | RegExp]>([
      [
        'an unknown role',
        [
          { subject: 'external:ok', role: 'viewer' },
          { subject: 'external:ci', role: 'boss' },
        ],
        'opshub.rbac.servicePrincipals[1] (external:ci): role must be one of viewer, developer, maintainer, owner, not "boss"',
      ],
      [
        'an empty subject',
        [{ subject: '', role: 'viewer' }],
        "opshub.rbac.servicePrincipals[0]: subject must be a service principal as Backstage reports it, without spaces, like plugin:mcp-actions or a static token's subject",
      ],
      [
        'a subject with a space',
        [{ subject: 'ci deployer', role: 'viewer' }],
        /^opshub\.rbac\.servicePrincipals\[0\] \(ci deployer\): subject must be/,
      ],
      [
        'no subject',
        [{ role: 'viewer' }],
        'opshub.rbac.servicePrincipals[0]: subject must be a string',
      ],
      [
        'an unknown key',
        [{ subject: 'external:ci', role: 'viewer', roles: ['owner'] }],
        'opshub.rbac.servicePrincipals[0] (external:ci): has unknown keys roles; it takes subject and role',
      ],
      [
        'a subject given two roles',
        [
          { subject: 'external:ci', role: 'viewer' },
          { subject: 'external:ci', role: 'owner' },
        ],
        'opshub.rbac.servicePrincipals[1] (external:ci): the subject is also given a role by opshub.rbac.servicePrincipals[0]; give each subject one role',
      ],
      [
        'something other than a list',
        'external:ci',
        'opshub.rbac.servicePrincipals must be a list of { subject, role }',
      ],
    ])('stops startup on %s, naming the entry', (_what, value, message) => {
      expect(() => servicePrincipals(value)).toThrow(message);
    });
  });

  it('reads durations, secrets and per-type concurrency', () => {
    const config = readOpsHubConfig(
      mockServices.rootConfig({
        data: {
          opshub: {
            github: {
              webhookSecret: 'new',
              additionalWebhookSecrets: ['old'],
              maxPayloadBytes: 1024,
              deliveryRetention: { days: 2 },
            },
            queue: {
              concurrency: 8,
              lease: { seconds: 90 },
              pollInterval: 'PT5S',
              retryBackoff: { base: { seconds: 2 }, cap: { minutes: 1 } },
              typeConcurrency: { 'create-preview': 2 },
            },
          },
        },
      }),
    );
    expect(config.github).toMatchObject({
      webhookSecret: 'new',
      additionalWebhookSecrets: [{ secret: 'old' }],
      maxPayloadBytes: 1024,
      deliveryRetentionMs: 2 * 24 * 3600_000,
    });
    expect(config.queue).toMatchObject({
      concurrency: 8,
      leaseMs: 90_000,
      pollIntervalMs: 5_000,
      backoff: { baseMs: 2_000, capMs: 60_000 },
      typeConcurrency: { 'create-preview': 2 },
    });
  });

  describe('opshub.github', () => {
    const github = (data: JsonObject) =>
      readOpsHubConfig(
        mockServices.rootConfig({ data: { opshub: { github: data } } }),
      ).github;

    it('reads additional secrets as plain strings (unscoped) or scoped to owners and repositories', () => {
      expect(
        github({
          additionalWebhookSecrets: [
            'rotating',
            { secret: 'unscoped object' },
            { secret: 'org', owners: ['Acme'] },
            {
              secret: 'repos',
              owners: ['other-org'],
              repositories: ['acme/storefront', 'Acme/web.site'],
            },
          ],
        }).additionalWebhookSecrets,
      ).toEqual([
        { secret: 'rotating' },
        { secret: 'unscoped object' },
        { secret: 'org', owners: ['Acme'] },
        {
          secret: 'repos',
          owners: ['other-org'],
          repositories: ['acme/storefront', 'Acme/web.site'],
        },
      ]);
    });

    it.each([
      [
        [{ secret: 'hunter2', repositories: [] }],
        'opshub.github.additionalWebhookSecrets[0] names no owner or repository; leave both out for a secret valid for every repository',
      ],
      [
        ['ok', { secret: 'hunter2', repositories: ['acme/*'] }],
        "opshub.github.additionalWebhookSecrets[1].repositories entries must be like acme/storefront, not 'acme/*'",
      ],
      [
        [{ secret: 'hunter2', owners: ['acme/web'] }],
        "opshub.github.additionalWebhookSecrets[0].owners entries must be like acme, not 'acme/web'",
      ],
      [
        [{ secret: 'hunter2', owners: 'acme' }],
        'opshub.github.additionalWebhookSecrets[0].owners must be a list like [acme]',
      ],
      [
        [{ owners: ['acme'] }],
        'opshub.github.additionalWebhookSecrets[0].secret must be a non-empty string',
      ],
      [
        [{ secret: 'hunter2', repos: ['acme/web'] }],
        'opshub.github.additionalWebhookSecrets[0] has unknown keys repos; it takes secret, owners and repositories',
      ],
      [[''], 'opshub.github.additionalWebhookSecrets[0] must not be empty'],
      [
        [42],
        'opshub.github.additionalWebhookSecrets[0] must be a string or { secret, owners?, repositories? }',
      ],
    ])(
      'refuses additional secrets %j, naming no secret',
      (entries, message) => {
        const read = () => github({ additionalWebhookSecrets: entries as any });
        expect(read).toThrow(message);
        expect(read).not.toThrow(/hunter2/);
      },
    );

    it('reads the body timeout and the buffered-bytes budget', () => {
      expect(
        github({
          bodyTimeout: { milliseconds: 200 },
          maxBufferedBytes: 4096,
          maxPayloadBytes: 1024,
        }),
      ).toMatchObject({ bodyTimeoutMs: 200, maxBufferedBytes: 4096 });
      expect(github({ bodyTimeout: 'PT30S' }).bodyTimeoutMs).toBe(30_000);
      expect(() => github({ bodyTimeout: { seconds: 0 } })).toThrow(
        'opshub.github.bodyTimeout must be longer than 0',
      );
      expect(() =>
        github({ maxPayloadBytes: 2048, maxBufferedBytes: 1024 }),
      ).toThrow(
        'opshub.github.maxBufferedBytes (1024) must be at least maxPayloadBytes (2048), or the largest bodies could never be accepted',
      );
    });
  });
});
