import { TLSSocket } from 'node:tls';
import type { buildConnector } from 'undici';

type Connector = buildConnector.connector;

const DAY_MS = 24 * 60 * 60_000;

/** When a TLS socket's peer certificate expires; undefined for plain TCP. */
export function peerCertificateExpiry(socket: unknown): Date | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const validTo = socket.getPeerCertificate()?.valid_to;
  if (!validTo) return undefined;
  const expiresAt = new Date(validTo);
  return Number.isNaN(expiresAt.getTime()) ? undefined : expiresAt;
}

/**
 * `connect`, telling `seen` when the certificate of each TLS connection it
 * opens expires (read once the handshake, and so verification, succeeded).
 */
export function watchingCertificates(
  connect: Connector,
  seen: (expiresAt: Date) => void,
): Connector {
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (!error) {
        const expiresAt = peerCertificateExpiry(socket);
        if (expiresAt) seen(expiresAt);
        callback(null, socket!);
      } else {
        callback(error, null);
      }
    });
}

/**
 * Why a probe is degraded when a certificate expiring at `expiresAt` does
 * so within `days` of `nowMs`, e.g. "certificate expires in 5 days
 * (2026-12-06)"; undefined when it does not.
 */
export function certificateExpiryWarning(
  expiresAt: Date,
  days: number,
  nowMs: number,
): string | undefined {
  const left = expiresAt.getTime() - nowMs;
  if (left > days * DAY_MS) return undefined;
  const date = expiresAt.toISOString().slice(0, 10);
  if (left <= 0) return `certificate expired (${date})`;
  const whole = Math.floor(left / DAY_MS);
  const when =
    whole === 0
      ? 'in less than a day'
      : `in ${whole} day${whole === 1 ? '' : 's'}`;
  return `certificate expires ${when} (${date})`;
}
