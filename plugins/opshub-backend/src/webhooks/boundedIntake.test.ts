import { Webhooks } from '@octokit/webhooks';
import examples from '@octokit/webhooks-examples';
import type { Knex } from 'knex';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTestDatabases } from '../__testUtils__/databases';
import {
  startOpsHubBackend,
  WEBHOOK_SECRET,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const databases = createTestDatabases();
const opened = (
  examples.find(e => e.name === 'pull_request')!.examples as Array<
    Record<string, any>
  >
).find(e => e.action === 'opened')!;

let deliveryCounter = 0;
const nextDeliveryId = () =>
  `0b0d1e5e-cc78-11e3-81ab-${String(++deliveryCounter).padStart(12, '0')}`;

/** A pull_request body of PR `number`, padded to exactly `size` bytes. */
function bodyOf(number: number, size: number): string {
  const payload = {
    ...opened,
    number,
    pull_request: { ...opened.pull_request, number },
    padding: '',
  };
  const bare = Buffer.byteLength(JSON.stringify(payload));
  return JSON.stringify({ ...payload, padding: 'x'.repeat(size - bare) });
}

type RawAnswer =
  | { status: number; headers: Record<string, string>; body: any; at: number }
  | { error: string; at: number };

/**
 * A delivery over a raw socket to 127.0.0.1: the headers and the first
 * `sendBytes` of the body now, the rest when `sendRest` is called (or
 * never). `answer` is the parsed response (or the socket error);
 * `closedByServer` settles when the server ends the connection.
 */
async function rawDelivery(
  port: number,
  body: string,
  options: { sendBytes?: number } = {},
) {
  const bytes = Buffer.from(body);
  const sendBytes = options.sendBytes ?? bytes.length;
  const signature = await new Webhooks({ secret: WEBHOOK_SECRET }).sign(body);
  const socket = connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  const closedByServer = new Promise<void>(resolve =>
    socket.once('end', () => resolve()),
  );
  const answer = new Promise<RawAnswer>(resolve => {
    socket.on('data', chunk => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseResponse(received);
      if (parsed) resolve({ ...parsed, at: Date.now() });
    });
    socket.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? String(error), at: Date.now() }),
    );
    socket.on('close', () =>
      resolve({ error: 'closed without an answer', at: Date.now() }),
    );
  });
  const sentAt = Date.now();
  socket.write(
    [
      'POST /api/opshub/webhooks/github HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Content-Type: application/json',
      'X-GitHub-Event: pull_request',
      `X-GitHub-Delivery: ${nextDeliveryId()}`,
      `X-Hub-Signature-256: ${signature}`,
      `Content-Length: ${bytes.length}`,
      '',
      '',
    ].join('\r\n'),
  );
  if (sendBytes > 0) socket.write(bytes.subarray(0, sendBytes));
  return {
    sentAt,
    answer,
    closedByServer,
    sendRest: () => {
      if (!socket.destroyed) socket.write(bytes.subarray(sendBytes));
    },
    close: () => socket.destroy(),
  };
}

function parseResponse(data: Buffer) {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine, ...lines] = data
    .subarray(0, headEnd)
    .toString('latin1')
    .split('\r\n');
  const headers = Object.fromEntries(
    lines.map(line => {
      const colon = line.indexOf(':');
      return [
        line.slice(0, colon).trim().toLowerCase(),
        line.slice(colon + 1).trim(),
      ];
    }),
  );
  const length = Number(headers['content-length']);
  const body = data.subarray(headEnd + 4);
  if (body.length < length) return undefined;
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: JSON.parse(body.subarray(0, length).toString('utf8')),
  };
}

/** Fails with `what` unless `promise` settles within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string) {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} within ${ms} ms`)),
        ms,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

describe.each(databases.eachSupportedId())(
  'Bounded webhook intake on %s',
  id => {
    let knex: Knex;
    beforeAll(async () => {
      knex = await databases.init(id);
    });
    beforeEach(async () => {
      await knex('jobs').delete();
      await knex('webhook_deliveries').delete();
    });
    const deliveriesRecorded = async () =>
      Number((await knex('webhook_deliveries').count({ n: '*' }))[0].n);

    describe('with a 200 ms body timeout and one delivery recorded at a time', () => {
      let port: number;
      beforeAll(async () => {
        const server = await startOpsHubBackend({
          knex,
          config: {
            github: {
              webhookSecret: WEBHOOK_SECRET,
              maxPayloadBytes: 64 * 1024,
              maxConcurrentDeliveries: 1,
              bodyTimeout: { milliseconds: 200 },
            },
          },
        });
        port = (server.address() as AddressInfo).port;
      });

      it('answers stalled bodies with 408 and closes their connections, while real deliveries sent meanwhile get 202', async () => {
        // More stalled senders than the one processing slot and the eight
        // that may wait for it: none of them may hold a slot.
        const stalled = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            rawDelivery(port, bodyOf(500 + i, 30_000), {
              sendBytes: i % 2 ? 10_000 : 0,
            }),
          ),
        );
        await sleep(50);
        const realSentAt = Date.now();
        const real = await Promise.all(
          [1, 2, 3].map(n => rawDelivery(port, bodyOf(n, 30_000))),
        );
        const realAnswers = await Promise.all(real.map(r => r.answer));
        expect(
          realAnswers.map(a => ('status' in a ? a.status : a.error)),
        ).toEqual([202, 202, 202]);

        const answers = await within(
          Promise.all(stalled.map(s => s.answer)),
          5_000,
          'stalled deliveries answered',
        );
        for (const [i, answer] of answers.entries()) {
          expect(answer).toMatchObject({
            status: 408,
            headers: { connection: 'close' },
            body: {
              error: {
                name: 'RequestTimeoutError',
                message: 'The body was not received within 200 ms',
              },
            },
          });
          const waited = answer.at - stalled[i].sentAt;
          expect(waited).toBeGreaterThanOrEqual(190);
          expect(waited).toBeLessThan(3_000);
        }
        // The real deliveries went out while every stalled one was waiting.
        expect(realSentAt).toBeLessThan(Math.min(...answers.map(a => a.at)));
        await within(
          Promise.all(stalled.map(s => s.closedByServer)),
          2_000,
          'stalled connections closed by the server',
        );
        real.forEach(r => r.close());
        expect(await deliveriesRecorded()).toBe(3);

        // And afterwards, deliveries are still accepted.
        const after = await rawDelivery(port, bodyOf(4, 30_000));
        expect(await after.answer).toMatchObject({ status: 202 });
        after.close();
      });
    });

    describe('with maxBufferedBytes three bodies large', () => {
      const SIZE = 40_000;
      let port: number;
      beforeAll(async () => {
        const server = await startOpsHubBackend({
          knex,
          config: {
            github: {
              webhookSecret: WEBHOOK_SECRET,
              maxPayloadBytes: 64 * 1024,
              maxBufferedBytes: 3 * SIZE,
              bodyTimeout: { seconds: 10 },
            },
          },
        });
        port = (server.address() as AddressInfo).port;
      });

      it('sheds bodies beyond it with 503 and Retry-After, accepts the others, and keeps nothing of the shed ones', async () => {
        // Eight senders each send three quarters of a body (twice the
        // budget in all), then the rest.
        const senders = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            rawDelivery(port, bodyOf(600 + i, SIZE), {
              sendBytes: (SIZE * 3) / 4,
            }),
          ),
        );
        await sleep(100);
        senders.forEach(s => s.sendRest());
        const answers = await within(
          Promise.all(senders.map(s => s.answer)),
          10_000,
          'every sender answered',
        );
        senders.forEach(s => s.close());

        const statuses = answers.map(a => ('status' in a ? a.status : a.error));
        const accepted = statuses.filter(s => s === 202).length;
        const shed = answers.filter(
          (a): a is Extract<RawAnswer, { status: number }> =>
            'status' in a && a.status === 503,
        );
        expect(accepted).toBeGreaterThanOrEqual(1);
        expect(accepted).toBeLessThanOrEqual(3);
        expect(shed.length).toBeGreaterThanOrEqual(1);
        // A shed sender may see its connection reset rather than the answer
        // while it still writes; never any other answer.
        expect(
          statuses.filter(
            s => s !== 202 && s !== 503 && s !== 'ECONNRESET' && s !== 'EPIPE',
          ),
        ).toEqual([]);
        for (const answer of shed) {
          expect(answer.headers['retry-after']).toBe('1');
          expect(answer.body).toEqual({
            error: {
              name: 'ServiceUnavailableError',
              message: 'Too many delivery bodies in progress',
            },
          });
        }
        expect(await deliveriesRecorded()).toBe(accepted);

        // Everything was given back: three full bodies at once fit exactly.
        const after = await Promise.all(
          [1, 2, 3].map(n => rawDelivery(port, bodyOf(700 + n, SIZE))),
        );
        const afterAnswers = await Promise.all(after.map(a => a.answer));
        expect(
          afterAnswers.map(a => ('status' in a ? a.status : a.error)),
        ).toEqual([202, 202, 202]);
        after.forEach(a => a.close());
      });
    });
  },
);
