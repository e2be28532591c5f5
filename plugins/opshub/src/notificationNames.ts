import { OPSHUB_NOTIFICATION_TOPICS } from '@opshub/plugin-opshub-common';

/**
 * How OpsHub's notifications are named in a user's notification settings
 * (where users mute its topics): pass to the notifications plugin's
 * `UserNotificationSettingsCard` as `originNames` and `topicNames`.
 *
 * @public
 */
export const opshubNotificationNames = {
  /** OpsHub sends as the `opshub` backend plugin. */
  originNames: { 'plugin:opshub': 'OpsHub' },
  topicNames: {
    [OPSHUB_NOTIFICATION_TOPICS.health]: 'OpsHub health checks',
    [OPSHUB_NOTIFICATION_TOPICS.digest]: 'OpsHub weekly digest',
  },
} as const;
