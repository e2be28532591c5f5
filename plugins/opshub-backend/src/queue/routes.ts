import { NotFoundError } from '@backstage/errors';
import {
  OPSHUB_INSTALLATION_REF,
  opshubAdminPermission,
} from '@opshub/plugin-opshub-common';
import type { Request } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import type { Audited } from '../activity/audited';
import { parseInput } from '../http/validation';
import { actorRefOf, type ProjectAuthorizer } from '../rbac/ProjectAuthorizer';
import type { JobStore } from './JobStore';
import { JOB_STATES } from './types';

const listQuery = z.object({
  state: z.enum(JOB_STATES).optional(),
  type: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  beforeId: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});
const jobParams = z.object({
  id: z.string().regex(/^\d{1,18}$/, 'not a job id'),
});

/** The job queue's administration API (org owners: `opshub.admin`). */
export function queueRoutes(deps: {
  authorizer: ProjectAuthorizer;
  audited: Audited;
  jobs: JobStore;
}) {
  const { authorizer, audited, jobs } = deps;
  const admin = (req: Request) =>
    authorizer.authorize(req, opshubAdminPermission);
  const router = Router();

  router.get('/queue/stats', async (req, res) => {
    await admin(req);
    res.json({ counts: await jobs.countByTypeAndState() });
  });

  router.get('/queue/jobs', async (req, res) => {
    await admin(req);
    const filter = parseInput(listQuery, req.query, 'query');
    res.json({ items: await jobs.listJobs(filter) });
  });

  router.get('/queue/jobs/:id', async (req, res) => {
    await admin(req);
    const { id } = parseInput(jobParams, req.params, 'job id');
    const job = await jobs.getJob(id);
    if (!job) throw new NotFoundError(`No job ${id}`);
    res.json(job);
  });

  /** Retry a dead job, cancel a queued one: audited on the installation. */
  for (const [verb, change] of [
    ['retry', (id: string) => jobs.retryDeadJob(id)],
    ['cancel', (id: string) => jobs.cancelQueuedJob(id)],
  ] as const) {
    router.post(`/queue/jobs/:id/${verb}`, async (req, res) => {
      const credentials = await admin(req);
      const { id } = parseInput(jobParams, req.params, 'job id');
      const job = await audited(
        req,
        {
          entityRef: OPSHUB_INSTALLATION_REF,
          actorRef: actorRefOf(credentials),
          action: `job-${verb}`,
          details: { jobId: id },
          describe: changed => ({ jobType: changed.type }),
        },
        () => change(id),
      );
      res.json(job);
    });
  }

  return router;
}
