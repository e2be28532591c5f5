import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Request, RequestHandler, Response } from 'express';
import {
  type ByteBudget,
  createByteBudget,
  createConcurrencyLimit,
} from './concurrencyLimit';
import {
  type GithubSignatureVerifier,
  scopeAllows,
} from './verifyGithubSignature';
import type { WebhookIntake } from './WebhookIntake';

/** How long a body may take to arrive, by default. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** Bytes of bodies buffered at once per instance, by default. */
export const DEFAULT_MAX_BUFFERED_BYTES = 128 * 1024 * 1024;

export interface GithubWebhookRouteOptions {
  intake: WebhookIntake;
  /** Undefined when no webhook secret is configured. */
  verify?: GithubSignatureVerifier;
  maxPayloadBytes: number;
  maxConcurrentDeliveries: number;
  /** A body not received this long after its headers gets 408. */
  bodyTimeoutMs?: number;
  /** Bytes of bodies buffered at once on the instance; beyond it, 503. */
  maxBufferedBytes?: number;
  logger: LoggerService;
}

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,100}$/;

/**
 * `POST /webhooks/github`. Open without a Backstage token: the signature is
 * the authentication. Checks run cheapest first, and the signature is
 * verified against the raw bytes before anything parses them. Every answer
 * is JSON without internals; bad input never yields a 5xx.
 *
 * The body is read before anything else is held: under a deadline
 * (`bodyTimeoutMs`, then 408) and a byte budget shared by every delivery in
 * flight (`maxBufferedBytes`, then 503), so a slow or large sender costs
 * neither processing slots nor unbounded memory. Only a verified delivery
 * takes one of the `maxConcurrentDeliveries` slots, to be recorded.
 */
export function githubWebhookRoute(
  options: GithubWebhookRouteOptions,
): RequestHandler {
  const limit = createConcurrencyLimit(
    options.maxConcurrentDeliveries,
    options.maxConcurrentDeliveries * 8,
  );
  const budget = createByteBudget(
    options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
  );
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;

  return async (req, res) => {
    if (!options.verify) {
      return reply(
        res,
        503,
        'ServiceUnavailableError',
        'GitHub webhooks are not configured (opshub.github.webhookSecret)',
      );
    }
    if (!isJson(req.headers['content-type'])) {
      return reply(
        res,
        415,
        'UnsupportedMediaTypeError',
        'Content-Type must be application/json',
      );
    }
    const event = req.header('x-github-event');
    const deliveryId = req.header('x-github-delivery');
    if (!event || !deliveryId) {
      return reply(
        res,
        400,
        'InputError',
        'Missing X-GitHub-Event or X-GitHub-Delivery header',
      );
    }
    if (!EVENT_NAME.test(event) || !DELIVERY_ID.test(deliveryId)) {
      return reply(
        res,
        400,
        'InputError',
        'Malformed X-GitHub-Event or X-GitHub-Delivery header',
      );
    }
    const declaredLength = Number(req.headers['content-length'] ?? 0);
    if (declaredLength > options.maxPayloadBytes) {
      return tooLarge(res, options.maxPayloadBytes);
    }
    if (declaredLength > budget.free) return overBudget(res);

    const body = await readBody(req, {
      max: options.maxPayloadBytes,
      budget,
      timeoutMs: bodyTimeoutMs,
    });
    if (body === 'too-large') return tooLarge(res, options.maxPayloadBytes);
    if (body === 'over-budget') return overBudget(res);
    if (body === 'timeout') return timedOut(res, bodyTimeoutMs);
    // The client is gone: nobody to answer.
    if (body === 'aborted') return undefined;
    const { rawBody, bytes } = body;
    let release: (() => void) | undefined;
    try {
      const scope = await options.verify(
        rawBody,
        req.header('x-hub-signature-256'),
      );
      if (!scope) {
        return reply(
          res,
          401,
          'AuthenticationError',
          'Missing or invalid X-Hub-Signature-256',
        );
      }
      const plan = options.intake.plan(deliveryId, event, rawBody);
      if (plan === 'invalid-json') {
        return reply(res, 400, 'InputError', 'The body is not valid JSON');
      }
      if (plan === 'not-an-object') {
        return reply(res, 400, 'InputError', 'The body is not a JSON object');
      }
      // The repository the delivery is recorded under and the one its jobs
      // are looked up by (the same field, the latter not truncated).
      if (
        !scopeAllows(scope, plan.repository) ||
        (plan.lookup !== undefined && !scopeAllows(scope, plan.lookup))
      ) {
        return reply(
          res,
          401,
          'AuthenticationError',
          plan.repository
            ? `The signing secret is not valid for repository ${plan.repository}`
            : 'The signing secret is not valid for deliveries without a repository',
        );
      }

      release = await limit.acquire();
      if (!release) {
        res.setHeader('Retry-After', '1');
        return reply(
          res,
          503,
          'ServiceUnavailableError',
          'Too many deliveries in progress',
        );
      }
      const result = await options.intake.receive({
        deliveryId,
        event,
        rawBody,
        plan,
      });
      if (result.duplicate) {
        return sendJson(res, 200, { deliveryId, duplicate: true });
      }
      return sendJson(res, 202, {
        deliveryId,
        duplicate: false,
        outcome: result.outcome,
        jobIds: result.jobIds,
      });
    } catch (error) {
      options.logger.error(
        `GitHub delivery ${deliveryId} could not be recorded: ${error}`,
      );
      return reply(res, 500, 'Error', 'The delivery could not be recorded');
    } finally {
      release?.();
      budget.give(bytes);
    }
  };
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json';
}

function reply(res: Response, status: number, name: string, message: string) {
  sendJson(res, status, { error: { name, message } });
}

/**
 * Writes a JSON answer without express's `res.json` (no ETag hashing or
 * freshness check: a webhook answer is never cached), on the hot path of
 * every delivery.
 */
function sendJson(res: Response, status: number, body: object) {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
    })
    .end(text);
}

function tooLarge(res: Response, max: number) {
  res.setHeader('Connection', 'close');
  reply(res, 413, 'PayloadTooLargeError', `The body exceeds ${max} bytes`);
}

function overBudget(res: Response) {
  res.setHeader('Connection', 'close');
  res.setHeader('Retry-After', '1');
  reply(
    res,
    503,
    'ServiceUnavailableError',
    'Too many delivery bodies in progress',
  );
}

/** The connection closes once the answer is written. */
function timedOut(res: Response, timeoutMs: number) {
  res.setHeader('Connection', 'close');
  reply(
    res,
    408,
    'RequestTimeoutError',
    `The body was not received within ${timeoutMs} ms`,
  );
}

type BodyFailure = 'too-large' | 'over-budget' | 'timeout' | 'aborted';

/**
 * Reads the raw body as text, taking each chunk's bytes from `budget` as it
 * arrives (the caller gives back `bytes` when done with it). It stops as
 * soon as the body exceeds `max` bytes or the budget, or `timeoutMs` after
 * it started; then nothing read is kept and the budget has it back. The rest
 * of a body that is too large is drained, not buffered, until the answer
 * closes the connection.
 */
function readBody(
  req: Request,
  limits: { max: number; budget: ByteBudget; timeoutMs: number },
): Promise<{ rawBody: string; bytes: number } | BodyFailure> {
  const { max, budget, timeoutMs } = limits;
  return new Promise(resolve => {
    let chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const timer = setTimeout(() => fail('timeout'), timeoutMs);

    function finish() {
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
    }
    function fail(failure: BodyFailure) {
      if (settled) return;
      finish();
      budget.give(size);
      chunks = [];
      if (failure !== 'aborted') req.resume();
      resolve(failure);
    }
    function onData(chunk: Buffer) {
      if (size + chunk.length > max) fail('too-large');
      else if (!budget.take(chunk.length)) fail('over-budget');
      else {
        size += chunk.length;
        chunks.push(chunk);
      }
    }
    function onEnd() {
      if (settled) return;
      finish();
      const rawBody = Buffer.concat(chunks, size).toString('utf8');
      chunks = [];
      resolve({ rawBody, bytes: size });
    }
    // An aborted request errors (ECONNRESET) or closes before its end.
    function onAbort() {
      fail('aborted');
    }

    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}
