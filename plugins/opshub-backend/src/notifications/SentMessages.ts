import type { Knex } from 'knex';

/** One message: how it goes, what it is about, and which change it tells of. */
export interface SentMessageKey {
  /** How it is sent: `slack` (later also Backstage notifications). */
  channel: string;
  /** What it is about, e.g. `preview:<id>`. */
  subject: string;
  /** The subject's change it tells of, unique per subject: `ready@<ISO time>`. */
  transition: string;
}

/**
 * The `sent_messages` table: what OpsHub already told people. A job that
 * sends a message checks it first and records the message once it is sent,
 * so a retried or repeated job does not send it again.
 *
 * Sending and recording are two steps, not one transaction (the message
 * leaves through another system): a crash, lost lease or database failure
 * between the send and the record runs the job again and sends that one
 * message a second time. Delivery is at least once, with at most one repeat
 * per failure in that window, and never a repeat after the record.
 */
export class SentMessages {
  constructor(private readonly knex: Knex) {}

  async wasSent(key: SentMessageKey): Promise<boolean> {
    const row = await this.knex('sent_messages')
      .where({
        channel: key.channel,
        subject: key.subject,
        transition: key.transition,
      })
      .first('sent_at');
    return row !== undefined;
  }

  /**
   * Forgets messages sent before `date`; kept as long as finished jobs, no
   * job that could send one again outlives its record.
   */
  async deleteSentBefore(date: Date): Promise<number> {
    return this.knex('sent_messages').where('sent_at', '<', date).delete();
  }

  /** Records a sent message; recording it again changes nothing. */
  async record(
    key: SentMessageKey,
    details: { recipient?: string; sentAt?: Date } = {},
  ): Promise<void> {
    await this.knex('sent_messages')
      .insert({
        channel: key.channel,
        subject: key.subject,
        transition: key.transition,
        recipient: details.recipient?.slice(0, 255) ?? null,
        sent_at: details.sentAt ?? new Date(),
      })
      .onConflict(['channel', 'subject', 'transition'])
      .ignore();
  }
}
