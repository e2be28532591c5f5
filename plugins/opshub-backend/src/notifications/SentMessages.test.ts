import { migrateDownAll, migrateUp } from '../database/migrations';
import { createTestDatabases } from '../__testUtils__/databases';
import { SentMessages } from './SentMessages';

jest.setTimeout(60_000);

const databases = createTestDatabases();

describe.each(databases.eachSupportedId())('SentMessages on %s', id => {
  async function setup() {
    const knex = await databases.init(id);
    await migrateUp(knex);
    return { knex, sent: new SentMessages(knex) };
  }

  it('migrates the sent_messages table up and down', async () => {
    const { knex } = await setup();
    expect(await knex.schema.hasTable('sent_messages')).toBe(true);
    await migrateDownAll(knex);
    expect(await knex.schema.hasTable('sent_messages')).toBe(false);
  });

  it('knows a message once it is recorded, recorded again or not', async () => {
    const { knex, sent } = await setup();
    const ready = {
      channel: 'slack',
      subject: 'preview:1',
      transition: 'ready@2026-12-01T10:00:00.000Z',
    };
    expect(await sent.wasSent(ready)).toBe(false);
    const sentAt = new Date('2026-12-01T10:00:01.000Z');
    await sent.record(ready, { recipient: '#previews', sentAt });
    await sent.record(ready, { recipient: '#elsewhere' });
    expect(await sent.wasSent(ready)).toBe(true);
    // Per channel, subject and transition.
    expect(await sent.wasSent({ ...ready, channel: 'notifications' })).toBe(
      false,
    );
    expect(await sent.wasSent({ ...ready, subject: 'preview:2' })).toBe(false);
    expect(
      await sent.wasSent({
        ...ready,
        transition: 'ready@2026-12-01T11:00:00.000Z',
      }),
    ).toBe(false);
    const rows = await knex('sent_messages');
    expect(rows).toHaveLength(1);
    expect(rows[0].recipient).toBe('#previews');
    expect(new Date(rows[0].sent_at).getTime()).toBe(sentAt.getTime());
  });
});
