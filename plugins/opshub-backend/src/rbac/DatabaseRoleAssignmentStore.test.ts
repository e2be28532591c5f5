import { ConflictError } from '@backstage/errors';
import { OPSHUB_INSTALLATION_REF } from '@opshub/plugin-opshub-common';
import { migrateDownAll, migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseRoleAssignmentStore } from './DatabaseRoleAssignmentStore';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'DatabaseRoleAssignmentStore on %s',
  id => {
    async function setup() {
      const knex = await databases.init(id);
      await migrateUp(knex);
      return { knex, store: new DatabaseRoleAssignmentStore(knex) };
    }

    it('migrates the role_assignments table up and down', async () => {
      const { knex } = await setup();
      expect(await knex.schema.hasTable('role_assignments')).toBe(true);
      await migrateDownAll(knex);
      expect(await knex.schema.hasTable('role_assignments')).toBe(false);
    });

    it('adds, lists and removes assignments', async () => {
      const { store } = await setup();
      const alice = await store.add({
        entityRef: 'Component:default/Storefront',
        subjectRef: 'user:default/Alice',
        role: 'developer',
        createdBy: 'user:default/owner',
      });
      expect(alice).toEqual({
        id: expect.any(String),
        entityRef: 'component:default/storefront',
        subjectRef: 'user:default/alice',
        role: 'developer',
        createdBy: 'user:default/owner',
        createdAt: expect.any(Date),
      });
      await store.add({
        entityRef: 'component:default/storefront',
        subjectRef: 'group:default/web',
        role: 'maintainer',
        createdBy: 'user:default/owner',
      });
      await store.add({
        entityRef: OPSHUB_INSTALLATION_REF,
        subjectRef: 'user:default/alice',
        role: 'viewer',
        createdBy: 'config',
      });
      await store.add({
        entityRef: 'component:default/checkout',
        subjectRef: 'user:default/alice',
        role: 'owner',
        createdBy: 'user:default/owner',
      });

      expect(
        (await store.list('component:default/storefront')).map(
          a => a.subjectRef,
        ),
      ).toEqual(['group:default/web', 'user:default/alice']);
      expect(
        (
          await store.onEntities([
            'Component:default/Checkout',
            OPSHUB_INSTALLATION_REF,
          ])
        )
          .map(a => a.role)
          .sort(),
      ).toEqual(['owner', 'viewer']);
      expect(await store.onEntities([])).toEqual([]);

      // Only on the entity it was made on.
      expect(
        await store.remove('component:default/other', alice.id),
      ).toBeUndefined();
      const storefront = 'Component:default/storefront';
      expect(await store.remove(storefront, alice.id)).toEqual(alice);
      expect(await store.remove(storefront, alice.id)).toBeUndefined();
      expect(await store.remove(storefront, 'not-a-number')).toBeUndefined();
      expect(
        (await store.list('component:default/storefront')).map(
          a => a.subjectRef,
        ),
      ).toEqual(['group:default/web']);
    });

    it('refuses a second role for the same subject on the same entity', async () => {
      const { store } = await setup();
      const first = {
        entityRef: 'component:default/storefront',
        subjectRef: 'user:default/alice',
        role: 'viewer' as const,
        createdBy: 'user:default/owner',
      };
      await store.add(first);
      await expect(
        store.add({
          ...first,
          subjectRef: 'User:default/ALICE',
          role: 'owner',
        }),
      ).rejects.toThrow(ConflictError);
      expect((await store.list(first.entityRef)).map(a => a.role)).toEqual([
        'viewer',
      ]);
    });
  },
);
