import { ConfigReader } from '@backstage/config';
import type { FakeApiAnswer } from '@opshub/plugin-opshub-node/testUtils';
import { type SlackBot, slackBotFromConfig } from '../slackClient';

/** The bot token tests configure (never a real one). */
export const FAKE_SLACK_TOKEN = 'xoxb-test';

/** OpsHub's Slack bot, configured to talk to a fake Slack at `apiUrl`. */
export function fakeSlackBot(
  apiUrl: string,
  defaultChannel?: string,
): SlackBot {
  const bot = slackBotFromConfig(
    new ConfigReader({
      opshub: {
        slack: { token: FAKE_SLACK_TOKEN, apiUrl, defaultChannel },
      },
    }),
  );
  if (!bot) throw new Error('The fake Slack bot has no token');
  return bot;
}

/** Slack's answer to a rate-limited call, retry after `seconds`. */
export const slackRateLimited = (seconds: number): FakeApiAnswer => ({
  status: 429,
  headers: { 'retry-after': String(seconds) },
  body: { ok: false, error: 'ratelimited' },
});

/** Slack's answer to a message it posted. */
export const SLACK_POSTED: FakeApiAnswer = {
  status: 200,
  body: { ok: true, channel: 'C1', ts: '1' },
};
