import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { migrateUp } from '../database/migrations';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';
import { createTestDatabases } from '../__testUtils__/databases';
import { accessFilter, type AccessFilterOptions } from './accessFilter';
import { DatabaseRoleAssignmentStore } from './DatabaseRoleAssignmentStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('accessFilter on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const projects = new DatabaseProjectStore(knex);
    await projects.replaceAll([
      {
        entityRef: 'component:default/Storefront',
        repoSlug: 'acme/storefront',
        ownerRef: 'group:default/web',
      },
      {
        entityRef: 'component:default/billing',
        repoSlug: 'acme/billing',
        ownerRef: 'group:default/billing',
      },
      { entityRef: 'component:default/orphan', repoSlug: 'acme/orphan' },
    ]);
    const assignments = new DatabaseRoleAssignmentStore(knex);
    const assign = (entityRef: string, subjectRef: string, role: any) =>
      assignments.add({ entityRef, subjectRef, role, createdBy: 'test' });
    await assign(
      'component:default/storefront',
      'user:default/dev',
      'developer',
    );
    await assign(
      'component:default/billing',
      'group:default/readers',
      'viewer',
    );
    await assign(OPSHUB_INSTALLATION_REF, 'user:default/boss', 'maintainer');

    const visible = async (
      criteria: Parameters<typeof accessFilter>[0],
      options: AccessFilterOptions = {
        implicitOwnerRole: 'maintainer',
        orgOwners: [],
      },
    ) =>
      (
        await projects.list({
          limit: 100,
          where: accessFilter(criteria, options),
        })
      )
        .map(p => p.entityRef)
        // Collations differ in where 'S' sorts; compare in one order.
        .sort();
    return { visible, projects };
  }

  const sorted = (...refs: string[]) => refs.sort();
  const has = (minimumRole: any, ...ownershipRefs: string[]) => ({
    minimumRole,
    ownershipRefs,
  });

  it('finds the projects where the caller holds at least a role', async () => {
    const { visible } = await setup();
    const billing = 'component:default/billing';
    const orphan = 'component:default/orphan';
    const storefront = 'component:default/Storefront';

    // A project assignment, of the user or of one of their groups.
    expect(await visible(has('viewer', 'user:default/dev'))).toEqual([
      storefront,
    ]);
    expect(await visible(has('maintainer', 'user:default/dev'))).toEqual([]);
    expect(
      await visible(has('viewer', 'user:default/x', 'group:default/readers')),
    ).toEqual([billing]);
    // Refs compare case-insensitively.
    expect(await visible(has('viewer', 'User:default/DEV'))).toEqual([
      storefront,
    ]);
    // An org assignment counts on every project.
    expect(await visible(has('maintainer', 'user:default/boss'))).toEqual(
      sorted(billing, orphan, storefront),
    );
    expect(await visible(has('owner', 'user:default/boss'))).toEqual([]);
    // Members of the catalog owner get the implicit role, if enough.
    expect(
      await visible(has('maintainer', 'user:default/y', 'group:default/web')),
    ).toEqual([storefront]);
    expect(
      await visible(has('owner', 'user:default/y', 'group:default/web')),
    ).toEqual([]);
    expect(
      await visible(has('viewer', 'group:default/web'), { orgOwners: [] }),
    ).toEqual([]);
    // Configured org owners see everything.
    expect(
      await visible(has('owner', 'group:default/platform'), {
        orgOwners: ['group:default/platform'],
      }),
    ).toEqual(sorted(billing, orphan, storefront));
    expect(await visible(has('viewer'))).toEqual([]);
  });

  it('combines conditions with allOf, anyOf and not', async () => {
    const { visible } = await setup();
    const dev = has('viewer', 'user:default/dev');
    const readers = has('viewer', 'group:default/readers');
    expect(await visible({ anyOf: [dev, readers] })).toEqual(
      sorted('component:default/billing', 'component:default/Storefront'),
    );
    expect(await visible({ allOf: [dev, readers] })).toEqual([]);
    expect(await visible({ not: dev })).toEqual([
      'component:default/billing',
      'component:default/orphan',
    ]);
  });
});
