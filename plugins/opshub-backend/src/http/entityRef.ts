import type { Request } from 'express';
import { z } from 'zod';
import { parseInput } from './validation';

const entityRefParams = z.object({
  kind: z.string().min(1).max(63),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});

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
