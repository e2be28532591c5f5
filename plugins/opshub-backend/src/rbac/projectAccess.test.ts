import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseRoleAssignmentStore } from './DatabaseRoleAssignmentStore';
import { loadProjectAccess } from './projectAccess';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('loadProjectAccess on %s', id => {
  it('brings each project its assignments, the org ones and its catalog owner', async () => {
    const knex = await databases.init(id);
    await migrateUp(knex);
    const assignments = new DatabaseRoleAssignmentStore(knex);
    const catalog = catalogServiceMock({
      entities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'storefront', namespace: 'default' },
          spec: { owner: 'web', type: 'website', lifecycle: 'production' },
        },
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: { name: 'lonely', namespace: 'default' },
          spec: { type: 'service', lifecycle: 'production' },
        },
      ],
    });
    await assignments.add({
      entityRef: 'component:default/storefront',
      subjectRef: 'user:default/dev',
      role: 'developer',
      createdBy: 'test',
    });
    await assignments.add({
      entityRef: OPSHUB_INSTALLATION_REF,
      subjectRef: 'user:default/boss',
      role: 'owner',
      createdBy: 'config',
    });

    const [storefront, lonely, missing, installation] = await loadProjectAccess(
      {
        assignments,
        catalog,
        auth: mockServices.auth(),
        orgOwners: ['group:default/admins'],
      },
      [
        'Component:default/Storefront',
        'component:default/lonely',
        'component:default/missing',
        OPSHUB_INSTALLATION_REF,
      ],
    );

    expect(storefront).toMatchObject({
      entityRef: 'component:default/storefront',
      catalogOwnerRef: 'group:default/web',
    });
    expect(storefront!.assignments.map(a => a.subjectRef).sort()).toEqual([
      'group:default/admins',
      'user:default/boss',
      'user:default/dev',
    ]);
    expect(lonely).toMatchObject({ catalogOwnerRef: undefined });
    expect(lonely!.assignments.map(a => a.subjectRef)).toEqual([
      'group:default/admins',
      'user:default/boss',
    ]);
    expect(missing).toBeUndefined();
    expect(installation).toEqual({
      entityRef: OPSHUB_INSTALLATION_REF,
      assignments: [
        expect.objectContaining({
          subjectRef: 'group:default/admins',
          role: 'owner',
          entityRef: OPSHUB_INSTALLATION_REF,
        }),
        expect.objectContaining({ subjectRef: 'user:default/boss' }),
      ],
    });
  });
});
