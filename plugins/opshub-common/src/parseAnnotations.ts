import type { Entity } from '@backstage/catalog-model';
import { z } from 'zod';
import { OPSHUB_ANNOTATIONS, PREVIEW_PROVIDERS } from './annotations';
import type { OpsHubAnnotations, OpsHubAnnotationProblem } from './types';

// GitHub's own rules: owner up to 39 characters of letters, digits and inner
// hyphens; repository names of letters, digits, '.', '-' and '_'.
const repoSlug = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/,
    'must be "owner/repo"',
  );
const previewProvider = z.enum(PREVIEW_PROVIDERS, {
  error: `must be one of ${PREVIEW_PROVIDERS.join(', ')}`,
});
const nonEmpty = z.string().trim().min(1, 'must not be empty');

const fields = {
  projectSlug: repoSlug,
  previewProvider,
  vercelProjectId: nonEmpty,
  netlifySiteId: nonEmpty,
  slackChannel: nonEmpty,
  // Whether OpsHub may probe it is the backend's rule (opshub.health);
  // a refused URL shows as the annotation check's configuration error.
  healthUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
} satisfies Record<keyof typeof OPSHUB_ANNOTATIONS, z.ZodTypeAny>;

/**
 * Reads OpsHub's annotations from an entity. A malformed value never throws:
 * it is left out of the result and reported in `problems`, so one bad
 * annotation does not hide the others.
 *
 * @public
 */
export function parseOpsHubAnnotations(entity: Entity): {
  annotations: OpsHubAnnotations;
  problems: OpsHubAnnotationProblem[];
} {
  const raw = entity.metadata.annotations ?? {};
  const annotations: Record<string, unknown> = {};
  const problems: OpsHubAnnotationProblem[] = [];

  for (const key of Object.keys(fields) as Array<keyof typeof fields>) {
    const annotation = OPSHUB_ANNOTATIONS[key];
    if (raw[annotation] === undefined) continue;
    const parsed = fields[key].safeParse(raw[annotation]);
    if (parsed.success) {
      annotations[key] = parsed.data;
    } else {
      problems.push({ annotation, message: parsed.error.issues[0].message });
    }
  }

  return { annotations: annotations as OpsHubAnnotations, problems };
}
