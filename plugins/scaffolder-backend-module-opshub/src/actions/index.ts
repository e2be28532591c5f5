import type { OpsHubActionDeps } from '../deps';
import { createCatalogAnnotateAction } from './annotate/createCatalogAnnotateAction';
import { createProjectConfigureAction } from './configure/createProjectConfigureAction';
import { createGithubWebhookAction } from './webhook/createGithubWebhookAction';
import { createPreviewStatusAction } from './previewStatus/createPreviewStatusAction';

/** Every OpsHub action, built with the module's services. */
export function createOpsHubActions(deps: OpsHubActionDeps) {
  return [
    createGithubWebhookAction(deps),
    createCatalogAnnotateAction(deps),
    createProjectConfigureAction(deps),
    createPreviewStatusAction(deps),
  ];
}
