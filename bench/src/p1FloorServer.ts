/*
 * The P1 floor: a bare Node http server doing what any webhook receiver must,
 * and no more: read the body, check X-Hub-Signature-256 (HMAC-SHA256,
 * constant-time compare), one INSERT ... ON CONFLICT per delivery, 202.
 * Started by p1WebhookAccept.ts on a loopback port.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { Pool } from 'pg';

const secret = process.env.OPSHUB_BENCH_SECRET!;
const pool = new Pool({
  connectionString: process.env.OPSHUB_BENCH_DB!,
  max: 10,
  idleTimeoutMillis: 0,
});

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', chunk => chunks.push(chunk));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const expected = Buffer.from(
      `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    );
    const given = Buffer.from(String(req.headers['x-hub-signature-256'] ?? ''));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      res.writeHead(401).end();
      return;
    }
    try {
      await pool.query(
        `INSERT INTO floor_deliveries (delivery_id, event, payload, received_at)
         VALUES ($1, $2, $3, now()) ON CONFLICT (delivery_id) DO NOTHING`,
        [
          req.headers['x-github-delivery'],
          req.headers['x-github-event'],
          body.toString('utf8'),
        ],
      );
      res.writeHead(202).end();
    } catch {
      res.writeHead(500).end();
    }
  });
});

pool
  .query(
    `CREATE TABLE IF NOT EXISTS floor_deliveries (
       delivery_id text PRIMARY KEY, event text, payload text, received_at timestamptz)`,
  )
  .then(() =>
    server.listen(Number(process.env.OPSHUB_BENCH_PORT), '127.0.0.1', () =>
      process.stdout.write('listening\n'),
    ),
  );
process.on('SIGTERM', () => {
  server.close();
  pool.end().then(() => process.exit(0));
});
