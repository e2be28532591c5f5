import { parseEntityRef } from '@backstage/catalog-model';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  opshubProjectSettingsPermission,
  PREVIEW_PROVIDERS,
} from '@opshub/plugin-opshub-common';
import { githubClientsFromConfig } from '@opshub/plugin-opshub-node';
import { authorizeInitiator } from '../../access/authorizeInitiator';
import type { OpsHubActionDeps } from '../../deps';
import { annotationsFromInput } from './annotationsFromInput';
import { openAnnotationsPullRequest } from './openAnnotationsPullRequest';
import { entityRefInput, repositoryInput } from '../sharedInput';

const DEFAULT_CATALOG_FILE = 'catalog-info.yaml';

/**
 * `opshub:catalog:annotate`: opens a pull request (GitHub's REST API, no
 * clone) that sets OpsHub's annotations on the entity's document in the
 * repository's catalog file; nothing when they are already set. Needs
 * `opshub.project.settings` on the entity.
 */
export function createCatalogAnnotateAction(deps: OpsHubActionDeps) {
  const githubFor = githubClientsFromConfig(deps.config);
  return createTemplateAction({
    id: 'opshub:catalog:annotate',
    description:
      "Opens a pull request adding OpsHub's annotations to the entity in the repository's catalog-info.yaml",
    supportsDryRun: true,
    schema: {
      input: {
        entityRef: entityRefInput,
        repository: repositoryInput,
        filePath: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe(`Catalog file; default ${DEFAULT_CATALOG_FILE}`),
        branch: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe("Base branch; the repository's default branch if unset"),
        provider: z =>
          z.enum(PREVIEW_PROVIDERS).optional().describe('Preview provider'),
        providerProjectId: z =>
          z
            .string()
            .min(1)
            .optional()
            .describe('Vercel project id or Netlify site id'),
        slackChannel: z =>
          z.string().min(1).optional().describe('Slack channel for previews'),
        healthUrl: z =>
          z.string().min(1).optional().describe('URL OpsHub health-checks'),
      },
      output: {
        changed: z => z.boolean(),
        pullRequestUrl: z => z.string().optional(),
        pullRequestNumber: z => z.number().optional(),
      },
    },
    async handler(ctx) {
      // The scaffolder validates input without applying schema defaults.
      const input = {
        ...ctx.input,
        filePath: ctx.input.filePath ?? DEFAULT_CATALOG_FILE,
      };
      await authorizeInitiator(deps, ctx, input.entityRef, [
        opshubProjectSettingsPermission,
      ]);
      const entity = parseEntityRef(input.entityRef);
      const annotations = annotationsFromInput(input);
      if (ctx.isDryRun) {
        const change = JSON.stringify(annotations);
        ctx.logger.info(
          `Dry run: would open a pull request on ${input.repository} setting ${change} on ${input.entityRef} in ${input.filePath}`,
        );
        return;
      }
      const result = await openAnnotationsPullRequest({
        octokit: await githubFor(input.repository),
        checkpoint: opts => ctx.checkpoint(opts),
        logger: ctx.logger,
        repository: input.repository,
        filePath: input.filePath,
        base: input.branch,
        entity,
        annotations,
      });
      ctx.output('changed', result.changed);
      if (result.pullRequest) {
        ctx.output('pullRequestUrl', result.pullRequest.url);
        ctx.output('pullRequestNumber', result.pullRequest.number);
      }
    },
  });
}
