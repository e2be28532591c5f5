import { OPSHUB_PREVIEW_STATES } from '@opshub/plugin-opshub-common';
import type { z } from 'zod/v3';
import { PREVIEW_ID_PATTERN } from '../previews/previewOperations';

/** What each preview state means, for a model reading `state`. */
export const PREVIEW_STATES_TEXT = `A preview's state is one of:
- queued: waiting for a build;
- building: the provider is deploying it;
- ready: deployed, live at its url;
- failed: its last build failed (errorClass and errorMessage say why);
- awaiting-approval: a pull request from a fork; it builds only after someone with opshub.preview.approve approves it in OpsHub;
- destroying: being torn down;
- destroyed: torn down (its pull request was closed, or someone destroyed it);
- expired: torn down after its time to live.`;

/** The `previewId` input of the actions about one preview. */
export const previewIdInput = (zod: typeof z) =>
  zod
    .string()
    .regex(PREVIEW_ID_PATTERN, 'must be a preview id: digits only')
    .describe(
      'The id of the preview, as opshub:list-previews gives it (digits, e.g. "42").',
    );

/** One preview, as every preview action answers it. */
export const previewOutput = (zod: typeof z) =>
  zod.object({
    id: zod
      .string()
      .describe('The preview id (use it with the other preview actions).'),
    entityRef: zod
      .string()
      .describe(
        'The catalog entity the preview belongs to, e.g. "component:default/web".',
      ),
    prNumber: zod
      .number()
      .describe('The GitHub pull request the preview deploys.'),
    title: zod.string().describe("The pull request's title."),
    branch: zod.string().describe("The pull request's head branch."),
    headSha: zod.string().describe('The commit the preview deploys (or will).'),
    author: zod.string().describe("The pull request author's GitHub login."),
    fromFork: zod
      .boolean()
      .describe(
        'Whether the pull request comes from a fork (fork previews need approval).',
      ),
    provider: zod
      .string()
      .describe('Where the preview is deployed: vercel, netlify, mock, ...'),
    state: zod.enum(OPSHUB_PREVIEW_STATES).describe(PREVIEW_STATES_TEXT),
    url: zod
      .string()
      .nullable()
      .describe('Where the preview is live once ready; null before.'),
    errorClass: zod
      .string()
      .nullable()
      .describe(
        'Why the last build failed: build, configuration, quota, provider-outage, timeout, ...; null unless failed.',
      ),
    errorMessage: zod
      .string()
      .nullable()
      .describe("The provider's message for the failure."),
    approvedBy: zod
      .string()
      .nullable()
      .describe(
        "Who approved a fork's preview (a user entity ref), if anyone.",
      ),
    closedAs: zod
      .enum(['merged', 'closed'])
      .nullable()
      .describe('How the pull request was closed; null while it is open.'),
    envVarCount: zod
      .number()
      .nullable()
      .describe(
        'How many environment variables its last build was given; null if none ever were.',
      ),
    envPushedAt: zod
      .string()
      .nullable()
      .describe('When those variables were given (ISO 8601).'),
    createdAt: zod.string().describe('ISO 8601.'),
    updatedAt: zod.string().describe('ISO 8601.'),
    expiresAt: zod
      .string()
      .describe(
        'When the preview is torn down unless its pull request is updated (ISO 8601).',
      ),
  });
