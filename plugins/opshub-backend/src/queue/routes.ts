import type { HttpAuthService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import Router from 'express-promise-router';
import { z } from 'zod';
import { parseInput } from '../http/validation';
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

/** The job queue's administration API. */
export function queueRoutes(deps: {
  httpAuth: HttpAuthService;
  jobs: JobStore;
}) {
  const { httpAuth, jobs } = deps;
  const router = Router();

  router.get('/queue/stats', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    res.json({ counts: await jobs.countByTypeAndState() });
  });

  router.get('/queue/jobs', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    const filter = parseInput(listQuery, req.query, 'query');
    res.json({ items: await jobs.listJobs(filter) });
  });

  router.get('/queue/jobs/:id', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    const { id } = parseInput(jobParams, req.params, 'job id');
    const job = await jobs.getJob(id);
    if (!job) throw new NotFoundError(`No job ${id}`);
    res.json(job);
  });

  router.post('/queue/jobs/:id/retry', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    const { id } = parseInput(jobParams, req.params, 'job id');
    res.json(await jobs.retryDeadJob(id));
  });

  router.post('/queue/jobs/:id/cancel', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    const { id } = parseInput(jobParams, req.params, 'job id');
    res.json(await jobs.cancelQueuedJob(id));
  });

  return router;
}
