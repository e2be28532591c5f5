import { InputError } from '@backstage/errors';
import {
  OPSHUB_ANNOTATIONS,
  parseOpsHubAnnotations,
  type PreviewProviderId,
} from '@opshub/plugin-opshub-common';

/** The action's typed fields, each mapped to one of OpsHub's annotations. */
export interface AnnotateFields {
  repository: string;
  provider?: PreviewProviderId;
  providerProjectId?: string;
  slackChannel?: string;
  healthUrl?: string;
}

const projectIdAnnotation: Partial<Record<PreviewProviderId, string>> = {
  vercel: OPSHUB_ANNOTATIONS.vercelProjectId,
  netlify: OPSHUB_ANNOTATIONS.netlifySiteId,
};

/**
 * OpsHub's annotations for the fields given: `github.com/project-slug` is
 * always the repository; `providerProjectId` is Vercel's project id or
 * Netlify's site id, so it needs one of those providers. Values are checked
 * with the rules OpsHub reads them by.
 */
export function annotationsFromInput(
  fields: AnnotateFields,
): Record<string, string> {
  const annotations: Record<string, string | undefined> = {
    [OPSHUB_ANNOTATIONS.projectSlug]: fields.repository,
    [OPSHUB_ANNOTATIONS.previewProvider]: fields.provider,
    [OPSHUB_ANNOTATIONS.slackChannel]: fields.slackChannel,
    [OPSHUB_ANNOTATIONS.healthUrl]: fields.healthUrl,
  };
  if (fields.providerProjectId !== undefined) {
    const key = fields.provider && projectIdAnnotation[fields.provider];
    if (!key) {
      throw new InputError(
        'providerProjectId needs provider vercel (project id) or netlify (site id)',
      );
    }
    annotations[key] = fields.providerProjectId;
  }
  const defined = Object.fromEntries(
    Object.entries(annotations).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const { problems } = parseOpsHubAnnotations({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'input', annotations: defined },
  });
  if (problems.length > 0) {
    throw new InputError(
      problems.map(p => `${p.annotation} ${p.message}`).join('; '),
    );
  }
  return defined;
}
