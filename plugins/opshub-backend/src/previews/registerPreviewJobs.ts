import type { JobQueue } from '../queue/JobQueue';
import {
  BUILD_PREVIEW,
  buildPreviewHandler,
  CHECK_PREVIEW,
  checkPreviewHandler,
  CREATE_PREVIEW,
  createPreviewHandler,
  DESTROY_DEPLOY,
  DESTROY_PREVIEW,
  destroyDeployHandler,
  destroyPreviewHandler,
  type PreviewJobDeps,
  TEARDOWN_PREVIEW,
  teardownPreviewHandler,
} from './previewJobHandlers';

/** The preview lifecycle's job handlers on the queue. */
export function registerPreviewJobs(queue: JobQueue, deps: PreviewJobDeps) {
  queue.register(CREATE_PREVIEW, createPreviewHandler(deps));
  queue.register(CHECK_PREVIEW, checkPreviewHandler(deps));
  queue.register(TEARDOWN_PREVIEW, teardownPreviewHandler(deps));
  queue.register(BUILD_PREVIEW, buildPreviewHandler(deps));
  queue.register(DESTROY_PREVIEW, destroyPreviewHandler(deps));
  queue.register(DESTROY_DEPLOY, destroyDeployHandler(deps));
}
