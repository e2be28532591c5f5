import type { RouteEntry } from '@opshub/plugin-opshub-backend/src/__testUtils__/routeTable';
import fc from 'fast-check';
import {
  bodyBytes,
  contentType,
  hostileQuery,
  hostileSegment,
  hostileString,
  hostileValue,
  mutatedObject,
  percentEncode,
  spliced,
} from './arbitraries';
import type { HostileRequest } from './send';

/**
 * A valid value per route parameter name, so that the parameters after a
 * valid one are reached too. A parameter not named here gets only hostile
 * values.
 */
export function paramSamples(previewId: string): Record<string, string> {
  return {
    kind: 'component',
    namespace: 'default',
    name: 'storefront',
    id: '1',
    deliveryId: 'r1-delivery',
    previewId,
    environment: 'development',
    varName: 'SAMPLE_VAR',
    version: '1',
    checkId: '1',
    windowId: '1',
  };
}

/**
 * A valid body of each route that takes one, by route key; the cases mutate
 * it field by field (near-valid bodies). A route added later without a
 * sample still gets random bodies.
 */
export const BODY_SAMPLES: Record<string, Record<string, unknown> | string> = {
  'POST /entities/:kind/:namespace/:name/assignments': {
    subjectRef: 'user:default/jane',
    role: 'viewer',
  },
  'POST /org/assignments': { subjectRef: 'group:default/web', role: 'viewer' },
  'PUT /org/bindings/:kind/:namespace/:name': { repository: 'acme/storefront' },
  'PUT /entities/:kind/:namespace/:name/envvars/:environment/:varName': {
    value: 'a value',
    sensitive: true,
    comment: 'set by R1',
  },
  'POST /entities/:kind/:namespace/:name/envvars/:environment/import':
    'FIRST=1\nSECOND="two"\n',
  'POST /entities/:kind/:namespace/:name/health/checks': {
    name: 'home',
    url: 'http://127.0.0.1:9/health',
    method: 'GET',
    expectedStatus: '200-299',
    timeoutMs: 1000,
    intervalMs: 60_000,
    jsonPath: { path: '$.status', equals: 'ok' },
  },
  'PATCH /entities/:kind/:namespace/:name/health/checks/:checkId': {
    name: 'renamed',
    enabled: false,
  },
  'POST /entities/:kind/:namespace/:name/health/checks/:checkId/maintenance': {
    kind: 'once',
    startsAt: '2030-01-01T10:00',
    endsAt: '2030-01-01T11:00',
    timeZone: 'UTC',
    reason: 'upgrade',
  },
};

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The key of a route, e.g. `GET /previews/:previewId`. */
export const routeKey = (route: RouteEntry) => `${route.method} ${route.path}`;

function bodyValues(sample: Record<string, unknown> | string | undefined) {
  const random = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(hostileString, hostileValue, { maxKeys: 5 }),
  );
  if (sample === undefined) return random;
  if (typeof sample === 'string') {
    const line = fc
      .tuple(hostileString, hostileString)
      .map(([key, value]) => `${key}=${value}`);
    return fc.oneof(
      fc.constant(sample),
      hostileString,
      fc.array(line, { maxLength: 5 }).map(lines => lines.join('\n')),
    );
  }
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant(sample) },
    { weight: 4, arbitrary: mutatedObject(sample) },
    { weight: 2, arbitrary: random },
  );
}

/** Requests to one route: hostile params, query, and body where it takes one. */
export function routeRequests(
  route: RouteEntry,
  samples: Record<string, string>,
  headers: Record<string, string>,
): fc.Arbitrary<HostileRequest> {
  const names = [...route.path.matchAll(/:(\w+)/g)].map(m => m[1]);
  const params = fc.tuple(
    ...names.map(name =>
      samples[name] === undefined
        ? hostileSegment
        : fc.oneof(
            fc.constant(samples[name]),
            hostileSegment,
            spliced(samples[name]).map(percentEncode),
          ),
    ),
  );
  const sample = BODY_SAMPLES[routeKey(route)];
  const textBody = typeof sample === 'string';
  const body = WITH_BODY.has(route.method)
    ? fc.tuple(
        fc.oneof(
          // A string sample is the body itself (text), others are JSON.
          textBody
            ? bodyValues(sample).map(v => Buffer.from(String(v)))
            : bodyBytes(bodyValues(sample)),
        ),
        textBody
          ? fc.oneof(fc.constant('text/plain'), contentType)
          : contentType,
      )
    : fc.constant(undefined);
  return fc.tuple(params, hostileQuery, body).map(([values, query, sent]) => {
    let index = 0;
    const path = route.path.replace(/:(\w+)/g, () => values[index++]);
    const [bytes, type] = sent ?? [];
    return {
      method: route.method,
      path: `/api/opshub${path}${query}`,
      headers: {
        ...headers,
        ...(type !== undefined && bytes ? { 'content-type': type } : {}),
      },
      body: bytes,
    };
  });
}
