import { parseEntityRef } from '@backstage/catalog-model';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';

export type OpsHubNotificationSeverity = NonNullable<
  NotificationSendOptions['payload']['severity']
>;

/** A Backstage notification about an entity, to its owners. */
export interface OpsHubNotification {
  entityRef: string;
  /** One of OPSHUB_NOTIFICATION_TOPICS: users mute OpsHub's kinds by it. */
  topic: string;
  title: string;
  description: string;
  severity: OpsHubNotificationSeverity;
  /**
   * What the notification is about, e.g. one incident of a check: a later
   * notification with the same scope replaces the earlier one (updated
   * and unread again) instead of adding another.
   */
  scope: string;
}

/** The entity page's OpsHub tab, as a path of the Backstage app. */
export function opshubTabPath(entityRef: string): string {
  const { kind, namespace, name } = parseEntityRef(entityRef);
  return `/catalog/${[
    namespace.toLocaleLowerCase('en-US'),
    kind.toLocaleLowerCase('en-US'),
    name,
  ]
    .map(encodeURIComponent)
    .join('/')}/opshub`;
}

/**
 * The entity's OpsHub tab as a URL of the Backstage app at `appBaseUrl`
 * (`app.baseUrl`), for links outside Backstage (Slack); undefined when the
 * app's URL is not known.
 */
export function opshubTabUrl(
  appBaseUrl: string | undefined,
  entityRef: string,
): string | undefined {
  return appBaseUrl
    ? `${appBaseUrl.replace(/\/+$/, '')}${opshubTabPath(entityRef)}`
    : undefined;
}

/**
 * OpsHub's Backstage notifications: each one goes to the owners of its
 * entity (recipients of type `entity`: the notifications backend resolves
 * an entity to its owners) and links to the entity's OpsHub tab.
 */
export class OpsHubNotifier {
  constructor(private readonly service: NotificationService) {}

  async send(notification: OpsHubNotification): Promise<void> {
    const { entityRef, ...payload } = notification;
    await this.service.send({
      recipients: { type: 'entity', entityRef },
      payload: { ...payload, link: opshubTabPath(entityRef) },
    });
  }
}
