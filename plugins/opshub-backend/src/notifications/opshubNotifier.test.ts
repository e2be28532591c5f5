import { OPSHUB_NOTIFICATION_TOPICS } from '@opshub/plugin-opshub-common';
import { OpsHubNotifier, opshubTabPath } from './opshubNotifier';
import { RecordingNotificationService } from './__testUtils__/RecordingNotificationService';

describe('OpsHubNotifier', () => {
  it("notifies the entity's owners, linking to its OpsHub tab", async () => {
    const service = new RecordingNotificationService();
    await new OpsHubNotifier(service).send({
      entityRef: 'component:default/storefront',
      topic: OPSHUB_NOTIFICATION_TOPICS.health,
      title: 'home of storefront is down',
      description: 'Since 12:00',
      severity: 'critical',
      scope: 'opshub-health:1:2',
    });
    expect(service.sent).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: 'component:default/storefront',
        },
        payload: {
          title: 'home of storefront is down',
          description: 'Since 12:00',
          severity: 'critical',
          topic: 'opshub-health',
          scope: 'opshub-health:1:2',
          link: '/catalog/default/component/storefront/opshub',
        },
      },
    ]);
  });

  it('builds the tab path from any form of the ref', () => {
    expect(opshubTabPath('Component:Team-A/Web App')).toBe(
      '/catalog/team-a/component/Web%20App/opshub',
    );
    expect(opshubTabPath('component:web')).toBe(
      '/catalog/default/component/web/opshub',
    );
  });

  it('fails as the notification service fails', async () => {
    const service = new RecordingNotificationService();
    service.failures.push(new Error('notifications backend unavailable'));
    const notifier = new OpsHubNotifier(service);
    await expect(
      notifier.send({
        entityRef: 'component:default/web',
        topic: 'opshub-health',
        title: 't',
        description: 'd',
        severity: 'normal',
        scope: 's',
      }),
    ).rejects.toThrow('notifications backend unavailable');
  });
});
