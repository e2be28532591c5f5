import examples from '@octokit/webhooks-examples';
import fc from 'fast-check';
import { createHmac } from 'node:crypto';
import {
  bodyBytes,
  contentType,
  headerSafe,
  hostileString,
  hostileValue,
} from './arbitraries';
import type { HostileRequest } from './send';

/** Events OpsHub acts on get most of the example payloads. */
const HANDLED = ['pull_request', 'deployment', 'deployment_status', 'ping'];

const PAYLOADS = examples.flatMap(({ name, examples: payloads }) =>
  (payloads as object[]).map(payload => ({ event: name, payload })),
);
const HANDLED_PAYLOADS = PAYLOADS.filter(p => HANDLED.includes(p.event));

type Json = Record<string, unknown> | unknown[];

/** Every path to a value in a payload, e.g. `['pull_request', 'head', 'sha']`. */
function pathsOf(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  return [
    prefix,
    ...Object.entries(value).flatMap(([key, child]) =>
      pathsOf(child, [...prefix, key]),
    ),
  ];
}

/** A deep copy of `payload` with the value at `path` replaced or removed. */
function mutateAt(
  payload: unknown,
  path: string[],
  value: unknown,
  remove: boolean,
): unknown {
  if (path.length === 0) return remove ? {} : value;
  const copy = (
    Array.isArray(payload) ? [...payload] : { ...(payload as object) }
  ) as Json;
  const [key, ...rest] = path;
  const record = copy as Record<string, unknown>;
  if (rest.length === 0 && remove) delete record[key];
  else record[key] = mutateAt(record[key], rest, value, remove);
  return copy;
}

/** Points the payload at the bound repository, so it reaches OpsHub's planning. */
function retarget(payload: object): object {
  const repository = (payload as { repository?: Record<string, unknown> })
    .repository;
  if (!repository) return payload;
  return {
    ...payload,
    repository: {
      ...repository,
      name: 'storefront',
      full_name: 'acme/storefront',
    },
  };
}

/** A GitHub example payload with up to four values retyped, oversized or removed. */
const mutatedExample = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...HANDLED_PAYLOADS) },
      { weight: 1, arbitrary: fc.constantFrom(...PAYLOADS) },
    ),
    fc.boolean(),
    fc.array(
      fc.record({
        pick: fc.nat(),
        // Half of the mutations hit the top three levels, where the fields
        // OpsHub reads are (repository, number, head, title, ...).
        shallow: fc.boolean(),
        remove: fc.boolean(),
        value: hostileValue,
      }),
      { maxLength: 4 },
    ),
  )
  .map(([{ event, payload }, bound, mutations]) => {
    let body: unknown = bound ? retarget(payload) : payload;
    for (const { pick, shallow, remove, value } of mutations) {
      const all = pathsOf(body);
      const paths = shallow ? all.filter(path => path.length <= 3) : all;
      body = mutateAt(body, paths[pick % paths.length], value, remove);
    }
    return { event, body };
  });

const sign = (body: Buffer, secret: string) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/**
 * Deliveries to `POST /webhooks/github`: mutated example payloads or random
 * bodies; event names right, wrong or hostile; delivery ids; signatures
 * missing, garbage, of another secret, or valid for the bytes sent.
 */
export function webhookRequests(secret: string): fc.Arbitrary<HostileRequest> {
  const body = fc.oneof(
    {
      weight: 4,
      arbitrary: mutatedExample.map(e => ({
        event: e.event,
        bytes: Buffer.from(JSON.stringify(e.body)),
      })),
    },
    {
      weight: 1,
      arbitrary: bodyBytes(fc.jsonValue({ maxDepth: 4 })).map(bytes => ({
        event: 'pull_request',
        bytes,
      })),
    },
  );
  return fc
    .record({
      body,
      event: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.constantFrom(...HANDLED, 'push', 'installation', ''),
        },
        { weight: 1, arbitrary: hostileString },
      ),
      deliveryId: fc.oneof(
        { weight: 4, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: hostileString },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      signature: fc.constantFrom(
        'valid',
        'valid',
        'valid',
        'missing',
        'garbage',
        'other-secret',
        'sha1',
      ),
      type: contentType,
    })
    .map(
      ({
        body: { event, bytes },
        event: header,
        deliveryId,
        signature,
        type,
      }) => {
        const headers: Record<string, string> = {};
        const eventName = header === undefined ? event : header;
        headers['x-github-event'] = headerSafe(eventName);
        if (deliveryId !== undefined)
          headers['x-github-delivery'] = headerSafe(deliveryId);
        if (type !== undefined) headers['content-type'] = type;
        if (signature === 'valid')
          headers['x-hub-signature-256'] = sign(bytes, secret);
        if (signature === 'garbage')
          headers['x-hub-signature-256'] = 'sha256=zz';
        if (signature === 'other-secret')
          headers['x-hub-signature-256'] = sign(bytes, 'not-the-secret');
        if (signature === 'sha1')
          headers['x-hub-signature-256'] = `sha1=${'0'.repeat(40)}`;
        return {
          method: 'POST',
          path: '/api/opshub/webhooks/github',
          headers,
          body: bytes,
        };
      },
    );
}
