import { renderTestApp } from '@backstage/frontend-test-utils';
import {
  notificationsApiRef,
  type NotificationsApi,
} from '@backstage/plugin-notifications';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { notificationSettingsModule } from './notificationSettingsModule';

type NotificationSettings = Awaited<
  ReturnType<NotificationsApi['getNotificationSettings']>
>;

/** A user who has had OpsHub health and digest notifications in the web channel. */
function fakeNotificationsApi() {
  let settings: NotificationSettings = {
    channels: [
      {
        id: 'Web',
        origins: [
          {
            id: 'plugin:opshub',
            enabled: true,
            topics: [
              { id: 'opshub-health', enabled: true },
              { id: 'opshub-digest', enabled: true },
            ],
          },
        ],
      },
    ],
  };
  return {
    getNotificationSettings: jest.fn(async () => settings),
    updateNotificationSettings: jest.fn(async (next: NotificationSettings) => {
      settings = next;
      return next;
    }),
  };
}

jest.setTimeout(30_000);
describe('notificationSettingsModule', () => {
  it('adds a Notifications tab to the settings page, where a user mutes OpsHub health checks', async () => {
    const api = fakeNotificationsApi();
    await renderTestApp({
      features: [userSettingsPlugin, notificationSettingsModule],
      initialRouteEntries: ['/settings/notifications'],
      apis: [
        [
          notificationsApiRef,
          api as Partial<NotificationsApi> as NotificationsApi,
        ],
      ],
    });

    expect(
      // The settings page loads lazily: slow on a busy machine.
      await screen.findByRole(
        'tab',
        { name: 'Notifications' },
        { timeout: 10_000 },
      ),
    ).toBeInTheDocument();
    expect(await screen.findByText('OpsHub')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'expand row' }));
    const topic = (await screen.findByText('OpsHub health checks')).closest(
      'tr',
    )!;
    expect(screen.getByText('OpsHub weekly digest')).toBeInTheDocument();
    fireEvent.click(within(topic).getByRole('switch'));

    await waitFor(() =>
      expect(api.updateNotificationSettings).toHaveBeenCalledWith({
        channels: [
          {
            id: 'Web',
            origins: [
              {
                id: 'plugin:opshub',
                enabled: true,
                topics: [
                  { id: 'opshub-health', enabled: false },
                  { id: 'opshub-digest', enabled: true },
                ],
              },
            ],
          },
        ],
      }),
    );
  });
});
