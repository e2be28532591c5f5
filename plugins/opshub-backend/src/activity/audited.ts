import type { AuditorService } from '@backstage/backend-plugin-api';
import type { Request } from 'express';
import type { ActivityEntry, ActivityLog } from './ActivityLog';

type Details = ActivityEntry['details'];

/** A mutation as the audit trail and the activity log tell it. */
export interface AuditedAction<T> {
  entityRef: string;
  actorRef: string;
  /** The audit event id and the activity action, e.g. `role-assignment-add`. */
  action: string;
  /** What is known before the mutation runs (kept on failure too). */
  details?: Details;
  /** What the mutation's result adds, on success. */
  describe?: (result: T) => Details;
}

/**
 * Runs a mutation audited. `req` is the HTTP request of a route, from which
 * the auditor reads the caller; an action (Backstage's actions registry)
 * has none and passes undefined, and its event's meta then names the actor.
 */
export type Audited = <T>(
  req: Request | undefined,
  action: AuditedAction<T>,
  mutate: () => Promise<T>,
) => Promise<T>;

/**
 * Wraps every OpsHub mutation: an auditor event (actor, entity, action and
 * outcome, with the request when there is one) that succeeds or fails with
 * the mutation, and on success a line in the project's activity log.
 * Details must never hold a secret value: they go to both.
 */
export function createAudited(deps: {
  auditor: AuditorService;
  activity: ActivityLog;
}): Audited {
  return async (req, action, mutate) => {
    const { entityRef, actorRef } = action;
    const event = await deps.auditor.createEvent({
      eventId: action.action,
      severityLevel: 'medium',
      request: req,
      meta: { entityRef, ...(req ? {} : { actorRef }), ...action.details },
    });
    try {
      const result = await mutate();
      const details = { ...action.details, ...action.describe?.(result) };
      await deps.activity.record({
        entityRef,
        actorRef,
        action: action.action,
        details,
      });
      await event.success({ meta: details });
      return result;
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  };
}
