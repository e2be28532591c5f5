import type { JobQueue } from '../queue/JobQueue';
import {
  CHECK_PREVIEW,
  checkPreviewHandler,
  createPreviewHandler,
  type PreviewJobDeps,
  teardownPreviewHandler,
} from './previewJobs';

/** The preview lifecycle's job handlers on the queue. */
export function registerPreviewJobs(queue: JobQueue, deps: PreviewJobDeps) {
  queue.register('create-preview', createPreviewHandler(deps));
  queue.register(CHECK_PREVIEW, checkPreviewHandler(deps));
  queue.register('teardown-preview', teardownPreviewHandler(deps));
}
