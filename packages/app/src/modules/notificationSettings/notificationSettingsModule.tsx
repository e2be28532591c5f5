import { Content } from '@backstage/core-components';
import {
  createFrontendModule,
  SubPageBlueprint,
} from '@backstage/frontend-plugin-api';
import { UserNotificationSettingsCard } from '@backstage/plugin-notifications';
import { opshubNotificationNames } from '@opshub/plugin-opshub';

/**
 * The Notifications tab of the Settings page (`/settings/notifications`):
 * per origin and topic, which notifications the user gets on which
 * channel; this is where users mute a topic such as OpsHub's health checks.
 * (The notifications plugin ships the card but no settings tab.)
 */
export const notificationSettingsPage = SubPageBlueprint.make({
  name: 'notifications',
  params: {
    path: 'notifications',
    title: 'Notifications',
    loader: async () => (
      <Content>
        <UserNotificationSettingsCard {...opshubNotificationNames} />
      </Content>
    ),
  },
});

/** Adds the Notifications tab to the user-settings plugin's page. */
export const notificationSettingsModule = createFrontendModule({
  pluginId: 'user-settings',
  extensions: [notificationSettingsPage],
});
