import type { PreviewMutationName } from '../previews/previewOperations';
import { actorRefOf, callerOf } from '../rbac/ProjectAuthorizer';
import { spendMutation } from './mutationBudget';
import {
  PREVIEW_STATES_TEXT,
  previewIdInput,
  previewOutput,
} from './previewSchemas';
import type { OpsHubActionsDeps } from './types';

const LIMITS = `Each call counts against the caller's limit of changes per minute (opshub.rbac.mutationsPerMinute), shared with OpsHub's API; over it the call fails saying in how many seconds to retry.`;

/** `opshub:redeploy-preview` and `opshub:destroy-preview`. */
export function registerPreviewChangeActions(deps: OpsHubActionsDeps) {
  const { actionsRegistry } = deps;

  /** A change of one preview, as its route makes it: limited, audited. */
  function registerChange(
    mutation: PreviewMutationName,
    options: {
      name: string;
      title: string;
      description: string;
      attributes: {
        readOnly: false;
        destructive: boolean;
        idempotent: boolean;
      };
    },
  ) {
    actionsRegistry.register({
      ...options,
      schema: {
        input: z => z.object({ previewId: previewIdInput(z) }),
        output: previewOutput,
      },
      action: async ({ input, credentials }) => {
        const caller = callerOf(credentials);
        spendMutation(deps.limiter, actorRefOf(caller));
        return {
          output: await deps.previews.mutate(mutation, caller, input.previewId),
        };
      },
    });
  }

  registerChange('redeploy', {
    name: 'redeploy-preview',
    title: 'Redeploy a preview environment',
    description: `Builds a preview environment again from its pull request's current head commit: for a preview that failed, or one that is ready or was torn down and should be deployed afresh. The build runs in the background: the answer is the preview as queued (state "queued"); follow it with opshub:get-preview.
Only a ready, failed, destroyed or expired preview is redeployed; any other state is refused (Conflict) and nothing changes. A fork's preview awaiting approval cannot be redeployed: it must be approved in OpsHub first.
Needs opshub.preview.manage on the preview's entity (role developer or above); a preview the caller may not read is NotFound. The change is audited and recorded in the entity's OpsHub activity log under the caller's name. ${LIMITS}
${PREVIEW_STATES_TEXT}`,
    attributes: { readOnly: false, destructive: false, idempotent: false },
  });

  registerChange('destroy', {
    name: 'destroy-preview',
    title: 'Destroy a preview environment',
    description: `Tears a preview environment down at its provider: its URL stops answering. Use it for a preview that is no longer wanted before its pull request closes (closing the pull request tears it down anyway). Teardown runs in the background: the answer is the preview as it is when the teardown is queued; follow it with opshub:get-preview until it is "destroyed". It can be deployed again with opshub:redeploy-preview.
Destroying a preview already destroyed or expired is refused (Conflict) and changes nothing, so calling it twice does no more than once.
Needs opshub.preview.manage on the preview's entity (role developer or above); a preview the caller may not read is NotFound. The change is audited and recorded in the entity's OpsHub activity log under the caller's name. ${LIMITS}
${PREVIEW_STATES_TEXT}`,
    attributes: { readOnly: false, destructive: true, idempotent: true },
  });
}
