import type { z as zImpl } from 'zod/v3';

type Z = typeof zImpl;

/** The `entityRef` input every OpsHub action takes: the project acted on. */
export const entityRefInput = (z: Z) =>
  z
    .string()
    .min(1)
    .describe('The OpsHub project, an entity ref, e.g. component:default/web');

/** A GitHub repository input, `owner/name`. */
export const repositoryInput = (z: Z) =>
  z
    .string()
    .regex(/^[^/\s]+\/[^/\s]+$/, 'must be "owner/name"')
    .describe('GitHub repository, owner/name');
