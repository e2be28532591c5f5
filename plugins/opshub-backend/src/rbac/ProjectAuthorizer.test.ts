import type { PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type { PermissionRuleset } from '@backstage/plugin-permission-node';
import {
  OPSHUB_INSTALLATION_REF,
  opshubAdminPermission,
  opshubPermissions,
  opshubPreviewManagePermission,
  opshubPreviewReadPermission,
  opshubProjectReadPermission,
  opshubRoleManagePermission,
  OPSHUB_ROLES,
  minimumRoleFor,
  roleAtLeast,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import { createHasRoleAtLeastRule } from './permissionRules';
import type { ProjectAccess } from './projectAccess';
import { actorRefOf, ProjectAuthorizer } from './ProjectAuthorizer';

const STOREFRONT = 'component:default/storefront';

function authorizer(options: { userDecision?: AuthorizeResult } = {}) {
  const asked: string[][] = [];
  const loaded: string[][] = [];
  const permissions = {
    async authorizeConditional(
      requests: Array<{ permission: { name: string } }>,
    ) {
      asked.push(requests.map(r => r.permission.name));
      return requests.map(() => ({
        result: options.userDecision ?? AuthorizeResult.DENY,
      }));
    },
  } as unknown as PermissionsService;
  const rule = createHasRoleAtLeastRule();
  const instance = new ProjectAuthorizer({
    httpAuth: mockServices.httpAuth({
      defaultCredentials: mockCredentials.none(),
    }),
    permissions,
    ruleset: { getRuleByName: () => rule } as unknown as PermissionRuleset<
      any,
      any
    >,
    async loadAccess(refs) {
      loaded.push(refs);
      return refs.map((entityRef): ProjectAccess | undefined =>
        entityRef === STOREFRONT || entityRef === OPSHUB_INSTALLATION_REF
          ? { entityRef, assignments: [] }
          : undefined,
      );
    },
    servicePrincipals: OPSHUB_ROLES.map(role => ({
      subject: `external:svc-${role}`,
      role,
    })),
  });
  return { authorizer: instance, asked, loaded };
}

const request = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {} } as unknown as Request);
const serviceHeader = (subject: string) =>
  mockCredentials.service.header({
    onBehalfOf: mockCredentials.service(subject),
    targetPluginId: 'test',
  });

describe('ProjectAuthorizer for service principals', () => {
  it.each(OPSHUB_ROLES)(
    'gives a service configured as %s exactly that role on a project and on the installation, without asking the permission framework',
    async role => {
      const { authorizer: auth, asked } = authorizer({
        userDecision: AuthorizeResult.ALLOW,
      });
      const credentials = mockCredentials.service(`external:svc-${role}`);
      const expected = opshubPermissions.map(p =>
        roleAtLeast(role, minimumRoleFor(p.name)!),
      );
      for (const ref of [STOREFRONT, OPSHUB_INSTALLATION_REF]) {
        const { allowed } = await auth.decide(
          credentials,
          opshubPermissions,
          ref,
        );
        expect(allowed).toEqual(expected);
      }
      expect(
        (
          await auth.decide(
            credentials,
            [opshubAdminPermission],
            OPSHUB_INSTALLATION_REF,
          )
        ).allowed,
      ).toEqual([role === 'owner']);
      expect(
        await auth.filter(credentials, opshubPreviewManagePermission),
      ).toEqual(
        roleAtLeast(role, 'developer') ? { all: true } : { none: true },
      );
      expect(asked).toEqual([]);
    },
  );

  it('refuses everything to a service without a role, though Backstage would allow it', async () => {
    const {
      authorizer: auth,
      asked,
      loaded,
    } = authorizer({
      userDecision: AuthorizeResult.ALLOW,
    });
    const credentials = mockCredentials.service('external:unlisted');
    const { allowed } = await auth.decide(
      credentials,
      opshubPermissions,
      STOREFRONT,
    );
    expect(allowed).toEqual(opshubPermissions.map(() => false));
    expect(await auth.filter(credentials, opshubProjectReadPermission)).toEqual(
      {
        none: true,
      },
    );
    await expect(
      auth.authorizeCredentials(
        credentials,
        opshubProjectReadPermission,
        STOREFRONT,
      ),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'Requires opshub.project.read',
    });
    expect(asked).toEqual([]);
    expect(loaded).toEqual([]);
  });

  it("holds a service's role only on projects the catalog knows, as a user's org-level role", async () => {
    const { authorizer: auth } = authorizer();
    const { allowed } = await auth.decide(
      mockCredentials.service('external:svc-owner'),
      [opshubProjectReadPermission],
      'component:default/unknown',
    );
    expect(allowed).toEqual([false]);
  });

  it("narrows a service by its token's access restrictions", async () => {
    const { authorizer: auth } = authorizer();
    const byName = mockCredentials.service('external:svc-owner', {
      permissionNames: ['opshub.preview.read'],
    });
    expect(
      (
        await auth.decide(
          byName,
          [opshubPreviewReadPermission, opshubPreviewManagePermission],
          STOREFRONT,
        )
      ).allowed,
    ).toEqual([true, false]);
    const readOnly = mockCredentials.service('external:svc-owner', {
      permissionAttributes: { action: ['read'] },
    });
    expect(
      (
        await auth.decide(
          readOnly,
          [opshubPreviewReadPermission, opshubRoleManagePermission],
          STOREFRONT,
        )
      ).allowed,
    ).toEqual([true, false]);
  });

  it('authorizes credentials in hand: back when allowed, NotAllowedError naming the permission, AuthenticationError for no caller', async () => {
    const { authorizer: auth } = authorizer();
    const developer = mockCredentials.service('external:svc-developer');
    await expect(
      auth.authorizeCredentials(
        developer,
        opshubPreviewManagePermission,
        STOREFRONT,
      ),
    ).resolves.toBe(developer);
    await expect(
      auth.authorizeCredentials(developer, opshubAdminPermission),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: 'Requires opshub.admin',
    });
    await expect(
      auth.authorizeCredentials(
        mockCredentials.none(),
        opshubProjectReadPermission,
        STOREFRONT,
      ),
    ).rejects.toMatchObject({ name: 'AuthenticationError' });
  });

  it("still asks the permission framework for a user's decisions", async () => {
    const { authorizer: auth, asked } = authorizer({
      userDecision: AuthorizeResult.DENY,
    });
    const user = mockCredentials.user('user:default/jane');
    await expect(
      auth.authorizeCredentials(user, opshubProjectReadPermission, STOREFRONT),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(asked).toEqual([['opshub.project.read']]);
  });

  it('takes a user or a service as the caller of a request, 401 for anything else', async () => {
    const { authorizer: auth } = authorizer();
    const service = await auth.caller(
      request(serviceHeader('plugin:mcp-actions')),
    );
    expect(service.principal).toMatchObject({
      type: 'service',
      subject: 'plugin:mcp-actions',
    });
    const user = await auth.caller(
      request(mockCredentials.user.header('user:default/jane')),
    );
    expect(user.principal).toMatchObject({
      userEntityRef: 'user:default/jane',
    });
    await expect(auth.caller(request())).rejects.toMatchObject({
      name: 'AuthenticationError',
    });
    await expect(
      auth.authorize(
        request(serviceHeader('external:svc-maintainer')),
        opshubPreviewManagePermission,
        STOREFRONT,
      ),
    ).resolves.toMatchObject({
      principal: { subject: 'external:svc-maintainer' },
    });
    await expect(
      auth.authorize(
        request(serviceHeader('external:svc-maintainer')),
        opshubAdminPermission,
      ),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it("names a user by their entity ref and a service by its subject, and gives services' roles", () => {
    const { authorizer: auth } = authorizer();
    expect(actorRefOf(mockCredentials.user('user:default/jane'))).toBe(
      'user:default/jane',
    );
    expect(actorRefOf(mockCredentials.service('plugin:mcp-actions'))).toBe(
      'plugin:mcp-actions',
    );
    expect(
      auth.serviceRole(mockCredentials.service('external:svc-viewer')),
    ).toBe('viewer');
    expect(
      auth.serviceRole(mockCredentials.service('external:unlisted')),
    ).toBeUndefined();
    expect(
      auth.serviceRole(mockCredentials.user('user:default/jane')),
    ).toBeUndefined();
  });
});
