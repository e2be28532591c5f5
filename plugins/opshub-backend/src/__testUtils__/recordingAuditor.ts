import { mockServices } from '@backstage/backend-test-utils';

/** An audit event as the auditor was told it, with its outcome. */
export interface RecordedAuditEvent {
  eventId: string;
  meta: unknown;
  outcome?: 'success' | 'fail';
  outcomeMeta?: unknown;
}

/**
 * An auditor that records every event and its outcome in `events`; install
 * it in a test backend with `factory`.
 */
export function recordingAuditor() {
  const events: RecordedAuditEvent[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: jest.fn(async options => {
      const event: RecordedAuditEvent = {
        eventId: options.eventId,
        meta: options.meta,
      };
      events.push(event);
      return {
        success: async (o?: { meta?: unknown }) => {
          event.outcome = 'success';
          event.outcomeMeta = o?.meta;
        },
        fail: async () => {
          event.outcome = 'fail';
        },
      };
    }),
  });
  return { events, factory: auditor.factory };
}
