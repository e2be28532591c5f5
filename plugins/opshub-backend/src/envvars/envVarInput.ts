import { z } from 'zod';

/** `production`, `preview`, `development` or a custom name. */
export const ENVIRONMENT_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
export const VAR_NAME_PATTERN = /^[A-Z_][A-Z0-9_]{0,255}$/;
/** The only environment with per-branch overrides. */
export const BRANCH_ENVIRONMENT = 'preview';
export const MAX_VALUE_BYTES = 64 * 1024;
/** JSON bodies of the env-var routes. */
export const MAX_JSON_BODY = '128kb';
/** `.env` files to import. */
export const MAX_IMPORT_BODY = '1mb';

export const environmentSchema = z
  .string()
  .regex(ENVIRONMENT_PATTERN, 'must match ^[a-z][a-z0-9-]{0,31}$');
export const varNameSchema = z
  .string()
  .regex(VAR_NAME_PATTERN, 'must match ^[A-Z_][A-Z0-9_]{0,255}$');
const branchSchema = z
  .string()
  .min(1)
  .max(255)
  .regex(/^(?!-)[A-Za-z0-9._/-]+$/, 'not a branch name');

/** Why a value is refused, or undefined when it is fine. */
export function valueProblem(value: string): string | undefined {
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
    return 'value is over 64 KiB';
  }
  if (value.includes('\0')) return 'value holds a NUL character';
  return undefined;
}

export const valueSchema = z.string().superRefine((value, ctx) => {
  // The message never quotes the value.
  const problem = valueProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const environmentParams = z.object({ environment: environmentSchema });
export const variableParams = z.object({
  environment: environmentSchema,
  varName: varNameSchema,
});
export const versionParams = variableParams.extend({
  version: z
    .string()
    .regex(/^\d{1,9}$/, 'not a version')
    .transform(Number),
});
export const branchQuery = z.object({ branch: branchSchema.optional() });
export const listQuery = z.object({
  environment: environmentSchema.optional(),
});
export const importQuery = branchQuery.extend({
  dryRun: z.enum(['true', 'false']).optional(),
});

export const putBody = z.object({
  value: valueSchema,
  sensitive: z.boolean().optional(),
  comment: z.string().max(1000).optional(),
});
