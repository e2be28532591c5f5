import { callerOf } from '../rbac/ProjectAuthorizer';
import { PREVIEW_LIST_LIMIT } from '../previews/previewOperations';
import { assertEntityVisible, entityRefInput } from './entityScope';
import {
  PREVIEW_STATES_TEXT,
  previewIdInput,
  previewOutput,
} from './previewSchemas';
import type { OpsHubActionsDeps } from './types';

const READ_ONLY = { readOnly: true, destructive: false, idempotent: true };

/** `opshub:list-previews` and `opshub:get-preview`. */
export function registerPreviewReadActions(deps: OpsHubActionsDeps) {
  const { actionsRegistry, previews } = deps;

  actionsRegistry.register({
    name: 'list-previews',
    title: 'List preview environments',
    description: `Lists the preview environments OpsHub deployed for an entity's GitHub pull requests, newest first: one per pull request, with its state, its URL once ready and why its last build failed.
Use it to find a pull request's preview (its id, for opshub:get-preview, opshub:redeploy-preview and opshub:destroy-preview), to see whether previews are up, or why one failed.
Needs opshub.preview.read on the entity (role viewer or above). An entity the catalog does not know is an error (NotFound); so is one the caller holds no role on (NotAllowed).
${PREVIEW_STATES_TEXT}`,
    attributes: READ_ONLY,
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          limit: z
            .number()
            .int()
            .min(1)
            .max(PREVIEW_LIST_LIMIT.max)
            .default(PREVIEW_LIST_LIMIT.default)
            .describe(
              `How many previews at most, newest first (default ${PREVIEW_LIST_LIMIT.default}).`,
            ),
        }),
      output: z => z.object({ items: z.array(previewOutput(z)) }),
    },
    action: async ({ input, credentials }) => {
      const caller = callerOf(credentials);
      await assertEntityVisible(deps.catalog, caller, input.entityRef);
      return {
        output: {
          items: await previews.list(caller, input.entityRef, input.limit),
        },
      };
    },
  });

  actionsRegistry.register({
    name: 'get-preview',
    title: 'Get a preview environment',
    description: `Reads one preview environment by its id: its pull request, state, URL and, for a failed one, why it failed.
Use it to follow a preview after opshub:redeploy-preview or opshub:destroy-preview, or to check one preview's state.
Needs opshub.preview.read on the preview's entity (role viewer or above); a preview the caller may not read is NotFound, like an unknown id.
${PREVIEW_STATES_TEXT}`,
    attributes: READ_ONLY,
    schema: {
      input: z => z.object({ previewId: previewIdInput(z) }),
      output: previewOutput,
    },
    action: async ({ input, credentials }) => ({
      output: await previews.get(callerOf(credentials), input.previewId),
    }),
  });
}
