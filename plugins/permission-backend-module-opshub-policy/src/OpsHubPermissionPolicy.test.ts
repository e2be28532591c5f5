import { createPermission } from '@backstage/plugin-permission-common';
import type { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  opshubAdminPermission,
  opshubEnvVarRevealPermission,
  opshubProjectReadPermission,
} from '@opshub/plugin-opshub-common';
import { OpsHubPermissionPolicy } from './OpsHubPermissionPolicy';

const user = {
  identity: {
    type: 'user',
    userEntityRef: 'user:default/alice',
    ownershipEntityRefs: ['user:default/alice', 'group:default/web'],
  },
  info: {
    userEntityRef: 'user:default/alice',
    ownershipEntityRefs: ['user:default/alice', 'group:default/web'],
  },
  token: 'token',
  credentials: {} as PolicyQueryUser['credentials'],
} as PolicyQueryUser;

const catalogRead = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});

describe('OpsHubPermissionPolicy', () => {
  const policy = new OpsHubPermissionPolicy('allow');

  it.each([
    [opshubProjectReadPermission, 'viewer'],
    [opshubEnvVarRevealPermission, 'maintainer'],
    [opshubAdminPermission, 'owner'],
  ])('answers %s with "at least %s" for the user', async (permission, role) => {
    expect(await policy.handle({ permission }, user)).toEqual({
      result: 'CONDITIONAL',
      pluginId: 'opshub',
      resourceType: 'opshub-project',
      conditions: {
        rule: 'HAS_ROLE_AT_LEAST',
        resourceType: 'opshub-project',
        params: {
          role,
          ownershipRefs: ['user:default/alice', 'group:default/web'],
        },
      },
    });
  });

  it('denies OpsHub permissions to callers without a user', async () => {
    expect(
      await policy.handle({ permission: opshubProjectReadPermission }),
    ).toEqual({ result: 'DENY' });
  });

  it('gives other permissions the configured fallback', async () => {
    expect(await policy.handle({ permission: catalogRead }, user)).toEqual({
      result: 'ALLOW',
    });
    expect(
      await new OpsHubPermissionPolicy('deny').handle(
        { permission: catalogRead },
        user,
      ),
    ).toEqual({ result: 'DENY' });
  });
});
