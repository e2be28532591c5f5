import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import type { Request } from 'express';
import { z } from 'zod';
import { parseInput } from './validation';

const entityRefParams = z.object({
  kind: z.string().min(1).max(63),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});

const groupRefParams = entityRefParams.omit({ kind: true });

/** The group of a `/.../groups/:namespace/:name` route. */
export function groupRefParam(req: Request): {
  /** `group:namespace/name`, lower case, as `projects.owner_ref` keeps owners. */
  ref: string;
} {
  const { namespace, name } = parseInput(
    groupRefParams,
    req.params,
    'group ref',
  );
  return {
    ref: `group:${namespace}/${name}`.toLocaleLowerCase('en-US'),
  };
}

/** The project of a `/entities/:kind/:namespace/:name/...` route. */
export function entityRefParam(req: Request): {
  kind: string;
  namespace: string;
  name: string;
  /** `kind:namespace/name`, lower case, as OpsHub keys projects. */
  ref: string;
} {
  const parts = parseInput(entityRefParams, req.params, 'entity ref');
  return {
    ...parts,
    ref: `${parts.kind}:${parts.namespace}/${parts.name}`.toLocaleLowerCase(
      'en-US',
    ),
  };
}

/**
 * An entity ref as OpsHub keys projects, `kind:namespace/name` in lower
 * case (the namespace defaults to `default`); undefined for a string that
 * is not an entity ref with a kind.
 */
export function normalizedEntityRef(ref: string): string | undefined {
  try {
    return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}
