import http from 'node:http';

/** One hostile request, exactly as sent: the path is not normalized. */
export interface HostileRequest {
  method: string;
  /** Path and query, raw (`..` and bad percent-encodings go out as they are). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface Answer {
  status: number;
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

/**
 * Sends a request with node's own client rather than fetch, which would
 * resolve `..` segments and refuse some of the bytes this row sends.
 */
export function send(
  baseUrl: string,
  request: HostileRequest,
): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method: request.method,
        path: request.path,
        headers: {
          ...request.headers,
          ...(request.body
            ? { 'content-length': String(request.body.length) }
            : {}),
        },
        timeout: 30_000,
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** Closes the kept-alive connection. */
export function closeConnections() {
  agent.destroy();
}
