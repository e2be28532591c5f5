import type { Config } from '@backstage/config';
import type { Knex } from 'knex';
import { readRequireVerifiedBinding } from '../config';
import { githubSyncGroup } from '../previews/previewJobGroups';
import type { PreviewStore } from '../previews/PreviewStore';
import { DatabaseProjectStore } from '../projects/DatabaseProjectStore';
import type { ProjectStore } from '../projects/ProjectStore';
import type { JobQueue } from '../queue/JobQueue';
import { githubClientsFromConfig, hasGithubCredentials } from './githubClients';
import { GithubWriteRecords } from './GithubWriteRecords';
import {
  GITHUB_PREVIEW_SYNC,
  type GithubPreviewSyncPayload,
  githubPreviewSyncHandler,
} from './previewWriteBack';
import { WritePacer } from './WritePacer';

/**
 * GitHub write-back of previews, when `integrations.github` has credentials
 * (a token or a GitHub App) to write with; undefined otherwise. Its clients
 * also serve the reconcile task. Each change of a preview queues one
 * github-preview-sync job (coalesced per preview while it waits). A
 * preview's syncs share an exclusion group: one that is queued while another
 * runs waits for it, instead of both reading the same (empty) write record
 * and writing statuses, Deployments and comments twice. Nothing is written
 * for a preview whose entity's repository binding is not verified
 * (`projects`: by default the plugin's table, with
 * `opshub.projects.requireVerifiedBinding`).
 */
export function githubWriteBack(
  config: Config,
  deps: {
    previews: PreviewStore;
    knex: Knex;
    writesPerMinute: number;
    projects?: Pick<ProjectStore, 'getProject'>;
  },
) {
  if (!hasGithubCredentials(config)) return undefined;
  const clientFor = githubClientsFromConfig(config);
  return {
    type: GITHUB_PREVIEW_SYNC,
    clientFor,
    handler: githubPreviewSyncHandler({
      previews: deps.previews,
      projects:
        deps.projects ??
        new DatabaseProjectStore(deps.knex, {
          requireVerifiedBinding: readRequireVerifiedBinding(config),
        }),
      records: new GithubWriteRecords(deps.knex),
      clientFor,
      pacer: new WritePacer(deps.writesPerMinute),
    }),
    enqueue: (queue: JobQueue, previewId: string) =>
      queue
        .enqueue(deps.knex, {
          type: GITHUB_PREVIEW_SYNC,
          key: `${GITHUB_PREVIEW_SYNC}:${previewId}`,
          group: githubSyncGroup(previewId),
          payload: { previewId } satisfies GithubPreviewSyncPayload,
        })
        .then(() => undefined),
  };
}
