import type { LoggerService } from '@backstage/backend-plugin-api';
import type { Request, RequestHandler, Response } from 'express';
import { createConcurrencyLimit } from './concurrencyLimit';
import { planBody } from './planDelivery';
import type { WebhookIntake } from './WebhookIntake';

export interface GithubWebhookRouteOptions {
  intake: WebhookIntake;
  /** Undefined when no webhook secret is configured. */
  verify?: (rawBody: string, signature: string | undefined) => Promise<boolean>;
  maxPayloadBytes: number;
  maxConcurrentDeliveries: number;
  logger: LoggerService;
}

const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,100}$/;

/**
 * `POST /webhooks/github`. Open without a Backstage token: the signature is
 * the authentication. Checks run cheapest first, and the signature is
 * verified against the raw bytes before anything parses them. Every answer
 * is JSON without internals; bad input never yields a 5xx.
 */
export function githubWebhookRoute(
  options: GithubWebhookRouteOptions,
): RequestHandler {
  const limit = createConcurrencyLimit(
    options.maxConcurrentDeliveries,
    options.maxConcurrentDeliveries * 8,
  );

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

    const release = await limit.acquire();
    if (!release) {
      res.setHeader('Retry-After', '1');
      return reply(
        res,
        503,
        'ServiceUnavailableError',
        'Too many deliveries in progress',
      );
    }
    try {
      const body = await readBody(req, options.maxPayloadBytes);
      if (body === 'too-large') return tooLarge(res, options.maxPayloadBytes);
      const rawBody = body.toString('utf8');

      if (!(await options.verify(rawBody, req.header('x-hub-signature-256')))) {
        return reply(
          res,
          401,
          'AuthenticationError',
          'Missing or invalid X-Hub-Signature-256',
        );
      }
      const plan = planBody(deliveryId, event, rawBody);
      if (plan === 'invalid-json') {
        return reply(res, 400, 'InputError', 'The body is not valid JSON');
      }
      if (plan === 'not-an-object') {
        return reply(res, 400, 'InputError', 'The body is not a JSON object');
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
      release();
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

/**
 * Reads the raw body, stopping as soon as it exceeds `max` bytes. The rest is
 * drained, not destroyed, so the 413 answer still reaches the client.
 */
function readBody(req: Request, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const listeners = {
      data: (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          finish(() => resolve('too-large'));
          req.resume();
        } else {
          chunks.push(chunk);
        }
      },
      end: () => finish(() => resolve(Buffer.concat(chunks, size))),
      error: (error: Error) => finish(() => reject(error)),
    };
    function finish(settle: () => void) {
      req.off('data', listeners.data);
      req.off('end', listeners.end);
      req.off('error', listeners.error);
      settle();
    }
    req.on('data', listeners.data);
    req.on('end', listeners.end);
    req.on('error', listeners.error);
  });
}
