import { parseEntityRef } from '@backstage/catalog-model';
import type { KnownBlock } from '@slack/web-api';
import type { PreviewEvent } from '../previews/previewJobHandlers';
import type { Preview } from '../previews/PreviewStore';
import { escapeMrkdwn as escape } from './mrkdwn';

/**
 * A preview event as a Slack message: Block Kit blocks, and the plain text
 * Slack shows in notifications and where blocks cannot be shown.
 */
export function previewMessage(
  preview: Preview,
  event: PreviewEvent,
): { text: string; blocks: KnownBlock[] } {
  const { name } = parseEntityRef(preview.entityRef);
  const pr = `${name} #${preview.prNumber}`;
  const title = escape(preview.title);
  const headline = {
    ready: `Preview of ${pr} is ready`,
    failed: `Preview of ${pr} failed (${preview.errorClass ?? 'unknown'})`,
    'torn-down': `Preview of ${pr} was torn down`,
  }[event];
  const icon = {
    ready: ':white_check_mark:',
    failed: ':x:',
    'torn-down': ':wastebasket:',
  }[event];
  const link =
    event === 'ready' && preview.url
      ? `: <${preview.url}|open the preview>`
      : '';
  const blocks: KnownBlock[] = [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${icon} *${escape(headline)}*${link}\n_${title}_`,
      },
    },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${escape(preview.repository)} · \`${escape(
            preview.branch,
          )}\` · ${preview.headSha.slice(0, 7)} · ${escape(preview.author)}`,
        },
      ],
    },
  ];
  const text =
    event === 'ready' && preview.url ? `${headline}: ${preview.url}` : headline;
  return { text, blocks };
}
