import type { PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { opshubProjectSettingsPermission } from '@opshub/plugin-opshub-common';
import { authorizeInitiator } from './authorizeInitiator';

/** A permissions service that allows everything, as Backstage's does for services. */
function allowingPermissions() {
  const authorize = jest.fn(async (requests: unknown[]) =>
    requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  );
  return {
    permissions: { authorize } as unknown as PermissionsService,
    authorize,
  };
}

describe('authorizeInitiator', () => {
  it('refuses a task a service principal started, without asking the permission framework (which allows services everything)', async () => {
    const { permissions, authorize } = allowingPermissions();
    await expect(
      authorizeInitiator(
        { permissions },
        {
          getInitiatorCredentials: async () =>
            mockCredentials.service('external:ci'),
        },
        'component:default/storefront',
        [opshubProjectSettingsPermission],
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        "OpsHub's scaffolder actions act for a signed-in user; this task's initiator is not one",
    });
    expect(authorize).not.toHaveBeenCalled();
  });

  it("returns a user initiator's credentials once every permission is allowed on the entity", async () => {
    const { permissions, authorize } = allowingPermissions();
    const user = mockCredentials.user('user:default/jane');
    await expect(
      authorizeInitiator(
        { permissions },
        { getInitiatorCredentials: async () => user },
        'component:default/storefront',
        [opshubProjectSettingsPermission],
      ),
    ).resolves.toBe(user);
    expect(authorize).toHaveBeenCalledWith(
      [
        {
          permission: opshubProjectSettingsPermission,
          resourceRef: 'component:default/storefront',
        },
      ],
      { credentials: user },
    );
  });
});
