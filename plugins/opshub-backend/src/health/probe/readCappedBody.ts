import type { ReadableStream } from 'node:stream/web';

/**
 * Reads a response body up to `maxBytes` and stops there, cancelling the
 * rest (which closes the connection): a health endpoint that streams
 * without end still yields a probe, and what was read is what assertions
 * see. `capped` says that reading stopped at the cap.
 */
export async function readCappedBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; capped: boolean }> {
  if (!body) return { bytes: new Uint8Array(0), capped: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let finished = false;
  try {
    while (length < maxBytes) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      const part = value.subarray(0, maxBytes - length);
      chunks.push(part);
      length += part.byteLength;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, capped: !finished };
}
