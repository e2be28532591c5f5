import type { JobQueue } from '../queue/JobQueue';
import {
  BUILD_PREVIEW,
  buildPreviewHandler,
  CHECK_PREVIEW,
  checkPreviewHandler,
  createPreviewHandler,
  DESTROY_PREVIEW,
  destroyPreviewHandler,
  type PreviewJobDeps,
  teardownPreviewHandler,
} from './previewJobHandlers';

/** The preview lifecycle's job handlers on the queue. */
export function registerPreviewJobs(queue: JobQueue, deps: PreviewJobDeps) {
  queue.register('create-preview', createPreviewHandler(deps));
  queue.register(CHECK_PREVIEW, checkPreviewHandler(deps));
  queue.register('teardown-preview', teardownPreviewHandler(deps));
  queue.register(BUILD_PREVIEW, buildPreviewHandler(deps));
  queue.register(DESTROY_PREVIEW, destroyPreviewHandler(deps));
}
