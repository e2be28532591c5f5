import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { createHasRoleAtLeastRule } from './permissionRules';
import type { ProjectAccess } from './projectAccess';

const storefront: ProjectAccess = {
  entityRef: 'component:default/storefront',
  catalogOwnerRef: 'group:default/web',
  assignments: [
    {
      id: '1',
      entityRef: 'component:default/storefront',
      subjectRef: 'user:default/dev',
      role: 'developer',
      createdBy: 'test',
      createdAt: new Date(0),
    },
    {
      id: '2',
      entityRef: OPSHUB_INSTALLATION_REF,
      subjectRef: 'group:default/admins',
      role: 'owner',
      createdBy: 'config',
      createdAt: new Date(0),
    },
  ],
};

describe('HAS_ROLE_AT_LEAST', () => {
  const rule = createHasRoleAtLeastRule('maintainer');
  const holds = (
    role: 'viewer' | 'developer' | 'maintainer' | 'owner',
    ownershipRefs: string[],
  ) => rule.apply(storefront, { role, ownershipRefs });

  it('compares the effective role with the one asked for', () => {
    expect(holds('developer', ['user:default/dev'])).toBe(true);
    expect(holds('maintainer', ['user:default/dev'])).toBe(false);
    // Members of the catalog owner get the implicit role.
    expect(
      holds('maintainer', ['user:default/web-1', 'group:default/web']),
    ).toBe(true);
    expect(holds('owner', ['user:default/web-1', 'group:default/web'])).toBe(
      false,
    );
    // Org-level owners hold every role on every project.
    expect(holds('owner', ['user:default/a', 'group:default/admins'])).toBe(
      true,
    );
    // No role at all: not even viewer.
    expect(holds('viewer', ['user:default/stranger'])).toBe(false);
  });

  it('can turn the implicit owner role off', () => {
    const strict = createHasRoleAtLeastRule(undefined);
    expect(
      strict.apply(storefront, {
        role: 'viewer',
        ownershipRefs: ['group:default/web'],
      }),
    ).toBe(false);
  });

  it('validates its parameters and converts to a query', () => {
    const schema = rule.paramsSchema!;
    expect(
      schema['~standard'].validate({ role: 'boss', ownershipRefs: [] }),
    ).toHaveProperty('issues');
    expect(
      rule.toQuery({ role: 'viewer', ownershipRefs: ['user:default/dev'] }),
    ).toEqual({ minimumRole: 'viewer', ownershipRefs: ['user:default/dev'] });
  });
});
