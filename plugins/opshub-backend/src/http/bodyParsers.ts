import { InputError } from '@backstage/errors';
import express, { type RequestHandler } from 'express';

/**
 * Wraps a body parser so its errors carry nothing of the body: body-parser's
 * own (a JSON syntax error) quote it, and Backstage's error handler would
 * answer with it, secrets included.
 */
function withoutBodyInErrors(
  parse: RequestHandler,
  limit: string,
): RequestHandler {
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      if (!error) return next();
      const { type, status } = error as { type?: string; status?: number };
      if (type === 'entity.too.large' || status === 413) {
        return next(
          Object.assign(new Error(`The request body is over ${limit}`), {
            name: 'PayloadTooLargeError',
            status: 413,
            statusCode: 413,
            expose: true,
          }),
        );
      }
      return next(
        new InputError(
          type === 'entity.parse.failed'
            ? 'The request body is not valid JSON'
            : 'The request body could not be read',
        ),
      );
    });
}

/** A JSON body up to `limit` (e.g. `16kb`); errors never echo it. */
export const jsonBody = (limit: string) =>
  withoutBodyInErrors(express.json({ limit }), limit);

/** A `text/plain` body up to `limit`; errors never echo it. */
export const textBody = (limit: string) =>
  withoutBodyInErrors(express.text({ type: 'text/plain', limit }), limit);
