import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  isOpenPreviewState,
  opshubPreviewReadPermission,
  type OpsHubPreview,
} from '@opshub/plugin-opshub-common';
import { authorizeInitiator } from '../../access/authorizeInitiator';
import type { OpsHubActionDeps } from '../../deps';
import { OpsHubRoutesClient } from '../../opshub/OpsHubRoutesClient';
import { entityRefInput } from '../sharedInput';

export const DEFAULT_TIMEOUT_SECONDS = 600;
export const MAX_TIMEOUT_SECONDS = 1800;

/** How the action waits: real time by default, a fake clock in tests. */
export interface PreviewPolling {
  intervalMs: number;
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realTime: PreviewPolling = {
  intervalMs: 5000,
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

/** Whether waiting longer cannot change the answer. */
const settled = (p: OpsHubPreview) =>
  p.state === 'ready' || p.state === 'failed' || !isOpenPreviewState(p.state);

/**
 * `opshub:preview:status`: waits for a pull request's preview to be ready
 * or failed (or torn down) and outputs its state and URL; read-only, as
 * the initiator (`opshub.preview.read`).
 */
export function createPreviewStatusAction(
  deps: OpsHubActionDeps,
  polling: Partial<PreviewPolling> = {},
) {
  const { intervalMs, now, sleep } = { ...realTime, ...polling };
  return createTemplateAction({
    id: 'opshub:preview:status',
    description:
      "Waits for a pull request's OpsHub preview to be ready or failed and outputs its state and URL",
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: entityRefInput,
        pullRequest: z =>
          z.number({ description: 'The pull request number' }).int().positive(),
        timeoutSeconds: z =>
          z
            .number({
              description: `How long to wait (default ${DEFAULT_TIMEOUT_SECONDS}, at most ${MAX_TIMEOUT_SECONDS})`,
            })
            .int()
            .positive()
            .max(MAX_TIMEOUT_SECONDS)
            .default(DEFAULT_TIMEOUT_SECONDS),
      },
      output: {
        state: z => z.string({ description: 'ready, failed, destroyed, …' }),
        url: z => z.string({ description: "The preview's URL" }).nullable(),
      },
    },
    async handler(ctx) {
      const { entityRef, pullRequest } = ctx.input;
      const timeoutSeconds =
        ctx.input.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
      const credentials = await authorizeInitiator(deps, ctx, entityRef, [
        opshubPreviewReadPermission,
      ]);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would wait up to ${timeoutSeconds}s for the preview of PR #${pullRequest}`,
        );
        return;
      }
      const opshub = new OpsHubRoutesClient(deps, credentials);
      const path = `/previews?${new URLSearchParams({
        entityRef,
        limit: '200',
      })}`;
      const deadline = now() + timeoutSeconds * 1000;

      for (;;) {
        const { items } = await opshub.request<{ items: OpsHubPreview[] }>(
          'GET',
          path,
        );
        // Most recently changed first: a reopened PR's newest preview.
        const preview = items.find(p => p.prNumber === pullRequest);
        if (preview && settled(preview)) {
          const why = preview.errorMessage ? `: ${preview.errorMessage}` : '';
          ctx.logger.info(
            `Preview of PR #${pullRequest} is ${preview.state}${why}`,
          );
          ctx.output('state', preview.state);
          ctx.output('url', preview.url);
          return;
        }
        const left = deadline - now();
        if (left <= 0) {
          throw new Error(
            `The preview of PR #${pullRequest} on ${entityRef} was ${
              preview ? `still ${preview.state}` : 'not created'
            } after ${timeoutSeconds}s`,
          );
        }
        await sleep(Math.min(intervalMs, left));
      }
    },
  });
}
