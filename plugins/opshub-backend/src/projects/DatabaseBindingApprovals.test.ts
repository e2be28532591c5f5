import { migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { DatabaseBindingApprovals } from './DatabaseBindingApprovals';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())(
  'DatabaseBindingApprovals on %s',
  id => {
    it('records one approval per entity, replaces it, and revokes it', async () => {
      const knex = await databases.init(id);
      await migrateUp(knex);
      const approvals = new DatabaseBindingApprovals(knex);
      const web = 'component:default/web';

      await expect(approvals.get(web)).resolves.toBeUndefined();
      const first = await approvals.approve(web, 'Acme/Web', 'user:default/a');
      expect(first).toEqual({
        repoSlug: 'acme/web',
        approvedBy: 'user:default/a',
        approvedAt: expect.any(Date),
      });
      await expect(approvals.get(web)).resolves.toEqual(first);

      // Approving again (another repository, another approver) replaces it.
      await approvals.approve(web, 'acme/web-next', 'user:default/b');
      await expect(approvals.get(web)).resolves.toMatchObject({
        repoSlug: 'acme/web-next',
        approvedBy: 'user:default/b',
      });
      expect(await knex('binding_approvals').count({ n: '*' })).toEqual([
        { n: expect.anything() },
      ]);
      expect(
        Number((await knex('binding_approvals').count({ n: '*' }))[0].n),
      ).toBe(1);

      await expect(approvals.revoke(web)).resolves.toMatchObject({
        repoSlug: 'acme/web-next',
      });
      await expect(approvals.revoke(web)).resolves.toBeUndefined();
      await expect(approvals.get(web)).resolves.toBeUndefined();
    });
  },
);
