import { STOREFRONT } from '@opshub/plugin-opshub-backend/src/__testUtils__/rbacBackend';
import fc from 'fast-check';
import { bodyBytes, contentType, mutatedObject } from './arbitraries';
import type { HostileRequest } from './send';

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  minimum?: number;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
}

export interface ListedAction {
  id: string;
  schema: { input: JsonSchema };
}

/** A valid value for one input property, from its name and schema. */
function sampleValue(
  name: string,
  schema: JsonSchema,
  previewId: string,
): unknown {
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.length)
    return sampleValue(name, schema.anyOf[0], previewId);
  if (name === 'entityRef') return STOREFRONT;
  if (name === 'previewId') return previewId;
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === 'integer' || type === 'number') return schema.minimum ?? 1;
  if (type === 'boolean') return true;
  if (type === 'object') return {};
  if (type === 'array') return [];
  if (schema.format === 'date-time') return '2024-01-01T00:00:00Z';
  if (schema.format === 'date' || /^(from|to|before|after|since)$/.test(name)) {
    return '2024-01-01';
  }
  return 'sample';
}

/** A valid input of an action, from the schema the registry lists. */
export function sampleInput(action: ListedAction, previewId: string) {
  return Object.fromEntries(
    Object.entries(action.schema.input.properties ?? {}).map(
      ([name, schema]) => [name, sampleValue(name, schema, previewId)],
    ),
  );
}

/**
 * Invocations of one action through the actions registry's endpoint:
 * near-valid inputs (its schema's sample with fields mutated) and random
 * JSON.
 */
export function actionRequests(
  action: ListedAction,
  previewId: string,
  headers: Record<string, string>,
): fc.Arbitrary<HostileRequest> {
  const sample = sampleInput(action, previewId);
  const input = fc.oneof(
    { weight: 1, arbitrary: fc.constant(sample) },
    { weight: 4, arbitrary: mutatedObject(sample) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  );
  return fc.tuple(bodyBytes(input), contentType).map(([body, type]) => ({
    method: 'POST',
    path: `/api/opshub/.backstage/actions/v1/actions/${encodeURIComponent(
      action.id,
    )}/invoke`,
    headers: {
      ...headers,
      ...(type !== undefined ? { 'content-type': type } : {}),
    },
    body,
  }));
}
