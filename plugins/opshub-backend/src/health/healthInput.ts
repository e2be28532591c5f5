import { z } from 'zod';
import type { HealthCheckDefinition } from './HealthStore';
import { CHECK_DEFAULTS } from './healthConfig';
import { headersSchema } from './headers/headerSchema';
import { validateExpectedStatus } from './probe/expectedStatus';
import { validateJsonPath } from './probe/jsonPath';

/** The longest interval a check may have: a day. */
export const MAX_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** The most samples one request returns. */
export const MAX_SAMPLES = 1000;
/** The most incidents one request returns. */
export const MAX_INCIDENTS = 100;
/** JSON bodies of the health routes: a check is small. */
export const MAX_JSON_BODY = '16kb';

const refined =
  (validate: (value: string) => string | undefined) =>
  (value: string, ctx: z.RefinementCtx) => {
    const problem = validate(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };

/**
 * http(s) only, and no user or password: the URL is shown to everyone who
 * may read the entity's health, and fetch refuses URLs with credentials.
 */
const urlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2048)
  .refine(url => {
    // zod runs this after a failed format check too: that one speaks.
    if (!URL.canParse(url)) return true;
    const parsed = new URL(url);
    return parsed.username === '' && parsed.password === '';
  }, 'must not contain a user name or password');

const positiveInt = z.number().int().positive();

/** Every field of a check as the API takes it; `intervalMs` depends on the config. */
function fieldSchemas(minIntervalMs: number) {
  return {
    name: z.string().trim().min(1).max(100),
    url: urlSchema,
    method: z.enum(['GET', 'HEAD']),
    expectedStatus: z
      .string()
      .max(200)
      .superRefine(refined(validateExpectedStatus)),
    bodyContains: z.string().max(1024).nullable(),
    jsonPath: z
      .strictObject({
        path: z.string().max(500).superRefine(refined(validateJsonPath)),
        equals: z.union([
          z.string().max(1024),
          z.number(),
          z.boolean(),
          z.null(),
        ]),
      })
      .nullable(),
    timeoutMs: z.number().int().min(100).max(60_000),
    intervalMs: z
      .number()
      .int()
      .min(minIntervalMs, {
        error: `must be at least ${minIntervalMs} ms (opshub.health.minInterval)`,
      })
      .max(MAX_INTERVAL_MS, { error: `must be at most ${MAX_INTERVAL_MS} ms` }),
    degradedLatencyMs: positiveInt.nullable(),
    failureThreshold: z.number().int().min(1).max(100),
    recoveryThreshold: z.number().int().min(1).max(100),
    enabled: z.boolean(),
    headers: headersSchema,
    certExpiryDays: z.number().int().min(1).max(365).nullable(),
    alertCooldownMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60 * 60 * 1000),
    reminderIntervalMs: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60 * 60 * 1000)
      .refine(ms => ms === 0 || ms >= 60_000, {
        error: 'must be 0 (no reminders) or at least 60000 ms',
      }),
  };
}

/** The bodies of `POST` and `PATCH .../health/checks`; unknown fields are 400s. */
export function healthCheckBodies(config: { minIntervalMs: number }) {
  const fields = fieldSchemas(config.minIntervalMs);
  const create = z.strictObject({
    ...fields,
    method: fields.method.optional(),
    expectedStatus: fields.expectedStatus.optional(),
    bodyContains: fields.bodyContains.optional(),
    jsonPath: fields.jsonPath.optional(),
    timeoutMs: fields.timeoutMs.optional(),
    intervalMs: fields.intervalMs.optional(),
    degradedLatencyMs: fields.degradedLatencyMs.optional(),
    failureThreshold: fields.failureThreshold.optional(),
    recoveryThreshold: fields.recoveryThreshold.optional(),
    enabled: fields.enabled.optional(),
    headers: fields.headers.optional(),
    certExpiryDays: fields.certExpiryDays.optional(),
    alertCooldownMs: fields.alertCooldownMs.optional(),
    reminderIntervalMs: fields.reminderIntervalMs.optional(),
  });
  const update = z
    .strictObject(fields)
    .partial()
    .refine(changes => Object.keys(changes).length > 0, {
      error: 'nothing to change',
    });
  return { create, update };
}

export type HealthCheckCreateBody = z.infer<
  ReturnType<typeof healthCheckBodies>['create']
>;

/** A created check's definition: the body over the documented defaults. */
export function definitionOf(
  body: HealthCheckCreateBody,
): HealthCheckDefinition {
  return {
    ...CHECK_DEFAULTS,
    bodyContains: null,
    jsonPath: null,
    degradedLatencyMs: null,
    enabled: true,
    headers: {},
    certExpiryDays: null,
    ...body,
  };
}

/** What no single field shows wrong in a whole definition; undefined when fine. */
export function definitionProblem(
  definition: Pick<
    HealthCheckDefinition,
    'degradedLatencyMs' | 'timeoutMs' | 'method' | 'bodyContains' | 'jsonPath'
  >,
): string | undefined {
  const { degradedLatencyMs, timeoutMs } = definition;
  if (degradedLatencyMs !== null && degradedLatencyMs >= timeoutMs) {
    return `degradedLatencyMs (${degradedLatencyMs}) must be less than timeoutMs (${timeoutMs})`;
  }
  // A HEAD answer has no body: such a check could never pass.
  if (
    definition.method === 'HEAD' &&
    (definition.bodyContains !== null || definition.jsonPath !== null)
  ) {
    return 'a HEAD check reads no body: bodyContains and jsonPath need method GET';
  }
  return undefined;
}

/** Health check ids are the table's integer keys. */
export const checkParams = z.object({
  checkId: z
    .string()
    .regex(/^\d{1,10}$/, 'not a check id')
    .refine(id => Number(id) <= 2_147_483_647, 'not a check id'),
});

const limitOf = (max: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, `must be a number from 1 to ${max}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, `must be a number from 1 to ${max}`)
        .max(max, `must be at most ${max}`),
    );

/** `since`: epoch milliseconds or an ISO 8601 date-time. */
const sinceSchema = z.union(
  [
    z
      .string()
      .regex(/^\d{1,15}$/)
      .transform(Number),
    z.iso.datetime({ offset: true }).transform(iso => Date.parse(iso)),
  ],
  { error: 'must be epoch milliseconds or an ISO 8601 date-time' },
);

export const samplesQuery = z.object({
  since: sinceSchema.optional(),
  limit: limitOf(MAX_SAMPLES).default(MAX_SAMPLES),
});

export const incidentsQuery = z.object({
  limit: limitOf(MAX_INCIDENTS).default(20),
});
