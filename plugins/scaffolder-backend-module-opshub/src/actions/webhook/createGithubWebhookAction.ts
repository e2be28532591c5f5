import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { opshubProjectSettingsPermission } from '@opshub/plugin-opshub-common';
import { githubClientsFromConfig } from '@opshub/plugin-opshub-node';
import type { Octokit } from '@octokit/rest';
import { authorizeInitiator } from '../../access/authorizeInitiator';
import type { OpsHubActionDeps } from '../../deps';
import { githubRefusal } from './githubRefusal';
import { webhookSecretFor } from './webhookSecret';
import {
  OPSHUB_WEBHOOK_EVENTS,
  webhookSource,
  webhookTargetUrl,
} from './webhookTarget';
import { entityRefInput, repositoryInput } from '../sharedInput';

type WebhookResult = {
  hookId: number;
  created: boolean;
};

/**
 * `opshub:github:webhook`: creates the repository's webhook to OpsHub
 * (JSON; pull_request, deployment, deployment_status; the secret scoped to
 * the repository or its owner, else the primary), or updates OpsHub's
 * existing hook rather than adding a second. Skips when deliveries come
 * from an organisation hook or a GitHub App. Needs `opshub.project.settings`
 * on the entity.
 */
export function createGithubWebhookAction(deps: OpsHubActionDeps) {
  const githubFor = githubClientsFromConfig(deps.config);
  return createTemplateAction({
    id: 'opshub:github:webhook',
    description:
      "Creates or updates the repository's GitHub webhook delivering pull requests and deployments to OpsHub",
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: entityRefInput,
        repository: repositoryInput,
      },
      output: {
        hookId: z => z.number().optional().describe("The webhook's id"),
        created: z =>
          z.boolean().optional().describe('Whether the webhook is new'),
        skipped: z =>
          z.boolean().optional().describe('Whether nothing was done'),
        reason: z => z.string().optional().describe('Why it was skipped'),
      },
    },
    async handler(ctx) {
      const { entityRef, repository } = ctx.input;
      await authorizeInitiator(deps, ctx, entityRef, [
        opshubProjectSettingsPermission,
      ]);
      const source = webhookSource(deps.config);
      if (source !== 'repository') {
        const reason = `opshub.github.webhookSource is ${source}: GitHub delivers to OpsHub through the ${
          source === 'app' ? "GitHub App's webhook" : "organisation's webhook"
        }, so ${repository} needs no webhook of its own`;
        ctx.logger.info(`Skipped: ${reason}`);
        ctx.output('skipped', true);
        ctx.output('reason', reason);
        return;
      }
      const url = webhookTargetUrl(deps.config);
      const secret = webhookSecretFor(deps.config, repository);
      if (ctx.isDryRun) {
        ctx.logger.info(
          `Dry run: would create or update the webhook of ${repository} delivering ${OPSHUB_WEBHOOK_EVENTS.join(
            ', ',
          )} to ${url}`,
        );
        ctx.output('hookId', 0);
        ctx.output('created', true);
        return;
      }
      const result = await ctx.checkpoint({
        key: `opshub-webhook:${repository}`,
        fn: async () =>
          upsertWebhook(await githubFor(repository), repository, url, secret),
      });
      ctx.logger.info(
        `${result.created ? 'Created' : 'Updated'} webhook ${
          result.hookId
        } of ${repository} delivering to ${url}`,
      );
      ctx.output('hookId', result.hookId);
      ctx.output('created', result.created);
    },
  });
}

/** Updates the repository's hook to `url` if there is one, else creates it. */
async function upsertWebhook(
  octokit: Octokit,
  repository: string,
  url: string,
  secret: string,
): Promise<WebhookResult> {
  const [owner, repo] = repository.split('/');
  const hooks = await octokit
    .paginate(octokit.rest.repos.listWebhooks, { owner, repo, per_page: 100 })
    .catch(error => {
      throw githubRefusal(`list the webhooks of ${repository}`, error);
    });
  const existing = hooks.find(hook => hook.config.url === url);
  const settings = {
    owner,
    repo,
    active: true,
    events: OPSHUB_WEBHOOK_EVENTS,
    config: { url, content_type: 'json', secret, insecure_ssl: '0' },
  };
  if (existing) {
    await octokit.rest.repos
      .updateWebhook({ ...settings, hook_id: existing.id })
      .catch(error => {
        throw githubRefusal(`update the webhook on ${repository}`, error);
      });
    return { hookId: existing.id, created: false };
  }
  const { data } = await octokit.rest.repos
    .createWebhook({ ...settings, name: 'web' })
    .catch(error => {
      throw githubRefusal(`create the webhook on ${repository}`, error);
    });
  return { hookId: data.id, created: true };
}
