import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { effectiveRole } from './effectiveRole';
import type { RoleAssignment } from './RoleAssignmentStore';

const ENTITY = 'component:default/storefront';
const assignment = (
  entityRef: string,
  subjectRef: string,
  role: RoleAssignment['role'],
): RoleAssignment => ({
  id: '1',
  entityRef,
  subjectRef,
  role,
  createdBy: 'test',
  createdAt: new Date(0),
});

describe('effectiveRole', () => {
  const alice = ['user:default/alice', 'group:default/web'];

  it('is undefined without any assignment or ownership', () => {
    expect(
      effectiveRole({
        entityRef: ENTITY,
        ownershipRefs: alice,
        assignments: [],
      }),
    ).toBeUndefined();
  });

  it('takes the highest of org, project and group assignments', () => {
    expect(
      effectiveRole({
        entityRef: ENTITY,
        ownershipRefs: alice,
        assignments: [
          assignment(OPSHUB_INSTALLATION_REF, 'user:default/alice', 'viewer'),
          assignment(ENTITY, 'group:default/web', 'maintainer'),
          assignment(ENTITY, 'user:default/alice', 'developer'),
          // Someone else's, and another project's, do not count.
          assignment(ENTITY, 'user:default/bob', 'owner'),
          assignment('component:default/other', 'user:default/alice', 'owner'),
        ],
      }),
    ).toBe('maintainer');
  });

  it('gives members of the catalog owner the implicit role, when on', () => {
    const inputs = {
      entityRef: ENTITY,
      ownershipRefs: alice,
      assignments: [assignment(ENTITY, 'user:default/alice', 'viewer')],
      catalogOwnerRef: 'Group:default/Web',
    };
    expect(effectiveRole({ ...inputs, implicitOwnerRole: 'maintainer' })).toBe(
      'maintainer',
    );
    expect(effectiveRole(inputs)).toBe('viewer');
    expect(
      effectiveRole({
        ...inputs,
        catalogOwnerRef: 'group:default/ops',
        implicitOwnerRole: 'maintainer',
      }),
    ).toBe('viewer');
  });

  it('counts only org-level assignments on the installation', () => {
    expect(
      effectiveRole({
        entityRef: OPSHUB_INSTALLATION_REF,
        ownershipRefs: alice,
        assignments: [
          assignment(ENTITY, 'user:default/alice', 'owner'),
          assignment(OPSHUB_INSTALLATION_REF, 'group:default/web', 'developer'),
        ],
        catalogOwnerRef: 'user:default/alice',
        implicitOwnerRole: 'owner',
      }),
    ).toBe('developer');
  });
});
