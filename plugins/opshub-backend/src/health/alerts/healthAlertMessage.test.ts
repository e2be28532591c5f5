import type { HealthAlertPayload } from './healthAlertJobs';
import {
  healthAlertNotification,
  healthAlertSlackMessage,
} from './healthAlertMessage';

const TAB =
  'https://backstage.test/catalog/default/component/storefront/opshub';

function payload(overrides: Partial<HealthAlertPayload>): HealthAlertPayload {
  return {
    kind: 'alert',
    checkId: '7',
    checkName: 'home',
    entityRef: 'component:default/storefront',
    url: 'https://storefront.example.com/healthz',
    state: 'down',
    incidentId: '3',
    since: '2026-12-01T12:00:00.000Z',
    errorClass: 'status',
    statusCode: 503,
    atMs: Date.UTC(2026, 11, 1, 12, 0),
    ...overrides,
  };
}

describe('health alert messages', () => {
  it.each([
    [
      payload({}),
      'Check "home" of storefront is down',
      ['Last probe: status 503', 'Since 2026-12-01 12:00 UTC'],
      'critical',
    ],
    [
      payload({ state: 'degraded', errorClass: null, statusCode: 200 }),
      'Check "home" of storefront is degraded',
      ['Last probe: status 200', 'Since 2026-12-01 12:00 UTC'],
      'high',
    ],
    [
      payload({ kind: 'escalation', errorClass: 'timeout', statusCode: null }),
      'Check "home" of storefront is now down (was degraded)',
      ['Last probe: timeout', 'Since 2026-12-01 12:00 UTC'],
      'critical',
    ],
    [
      payload({
        kind: 'reminder',
        state: 'degraded',
        errorClass: 'assertion',
        statusCode: 200,
      }),
      'Check "home" of storefront is still degraded',
      ['Last probe: assertion, status 200', 'Since 2026-12-01 12:00 UTC'],
      'high',
    ],
    [
      payload({ errorMessage: 'status 503 not in 200-299' }),
      'Check "home" of storefront is down',
      ['Last probe: status 503 not in 200-299', 'Since 2026-12-01 12:00 UTC'],
      'critical',
    ],
    [
      payload({
        kind: 'recovery',
        state: 'ok',
        errorClass: null,
        statusCode: 200,
      }),
      'Check "home" of storefront recovered',
      ['Incident opened 2026-12-01 12:00 UTC'],
      'normal',
    ],
    [
      payload({
        kind: 'recovery',
        state: 'unknown',
        incidentId: null,
        since: null,
      }),
      'Check "home" of storefront is no longer failing (now unknown)',
      [],
      'normal',
    ],
  ] as const)(
    '%#: says what happened, with the severity of the state',
    (alert, headline, facts, severity) => {
      expect(healthAlertNotification(alert)).toEqual({
        entityRef: 'component:default/storefront',
        topic: 'opshub-health',
        title: headline,
        description: [...facts, 'https://storefront.example.com/healthz'].join(
          '\n',
        ),
        severity,
        scope: `opshub-health:7:${alert.incidentId ?? 'none'}`,
      });
      const slack = healthAlertSlackMessage(alert, TAB);
      expect(slack.text).toBe(`${headline}: ${TAB}`);
      expect(slack.blocks[0]).toMatchObject({
        text: {
          text: expect.stringContaining(
            `*${headline}*: <${TAB}|open in OpsHub>`,
          ),
        },
      });
    },
  );

  it("scopes every message of one incident alike, and another incident's apart", () => {
    const kinds = ['alert', 'escalation', 'reminder', 'recovery'] as const;
    expect(
      new Set(
        kinds.map(kind => healthAlertNotification(payload({ kind })).scope),
      ),
    ).toEqual(new Set(['opshub-health:7:3']));
    expect(healthAlertNotification(payload({ incidentId: '4' })).scope).toBe(
      'opshub-health:7:4',
    );
  });

  it("escapes names in Slack's mrkdwn, and goes without a link when the app URL is unknown", () => {
    const slack = healthAlertSlackMessage(
      payload({
        checkName: '<!channel> & co',
        url: 'https://storefront.example.com/health?a=1&b=<2>',
      }),
      undefined,
    );
    expect(slack.text).toBe('Check "<!channel> & co" of storefront is down');
    expect(slack.blocks).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text:
            ':rotating_light: *Check "&lt;!channel&gt; &amp; co" of storefront is down*\n' +
            'Last probe: status 503\nSince 2026-12-01 12:00 UTC',
        },
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'component:default/storefront · https://storefront.example.com/health?a=1&amp;b=&lt;2&gt;',
          },
        ],
      },
    ]);
  });
});
