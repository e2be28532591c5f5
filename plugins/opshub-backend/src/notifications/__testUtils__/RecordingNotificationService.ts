import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';

/** A NotificationService that keeps what it is asked to send. */
export class RecordingNotificationService implements NotificationService {
  readonly sent: NotificationSendOptions[] = [];
  /** Errors to throw, one per send, before sending works again. */
  readonly failures: Error[] = [];

  async send(options: NotificationSendOptions): Promise<void> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(options);
  }
}
