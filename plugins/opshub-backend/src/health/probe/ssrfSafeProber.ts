import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent, fetch, type Response } from 'undici';
import type {
  OpsHubHealthErrorClass,
  OpsHubProbeOutcome,
} from '@opshub/plugin-opshub-common';
import { bodyAssertionFailure } from './checkResponse';
import { classifyProbeError } from './classifyProbeError';
import { parseExpectedStatus } from './expectedStatus';
import { guardedConnector } from './guardedConnector';
import type { NetworkPolicy } from './networkPolicy';
import { readCappedBody } from './readCappedBody';
import type { ProbeRequest, ProbeResult, Prober } from './types';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface SsrfSafeProberOptions {
  policy: NetworkPolicy;
  /** Redirects followed per probe (opshub.health.maxRedirects). */
  maxRedirects: number;
  /** Body bytes read at most; assertions see what was read. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Name resolution (called with `all: true`); default node:dns lookup. */
  lookup?: LookupFunction;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
}

/** A probe's failure, before timing is attached. */
class ProbeFailure {
  constructor(
    readonly errorClass: OpsHubHealthErrorClass,
    readonly message: string,
    readonly statusCode: number | null = null,
  ) {}
}

/**
 * The one HTTP client of health probes (issue 15, "Probing"): undici's
 * fetch through an Agent whose connector applies the NetworkPolicy at
 * connect time (guardedConnector), redirects followed by hand with each
 * hop checked again, the whole probe bounded by the request's timeoutMs
 * and bodies read up to maxBodyBytes.
 *
 * Connections are never reused (`pipelining: 0` turns keep-alive off, and
 * TLS sessions are not cached): each probe measures a fresh connect and
 * handshake, and each connect resolves the name again through the policy.
 */
export function createSsrfSafeProber(
  options: SsrfSafeProberOptions,
): Prober & { close(): Promise<void> } {
  const { policy, maxRedirects } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = options.now ?? Date.now;
  const agent = new Agent({
    connect: guardedConnector({
      policy,
      lookup: options.lookup ?? (dnsLookup as LookupFunction),
    }),
    pipelining: 0,
  });

  async function request(
    url: URL,
    method: ProbeRequest['method'],
    signal: AbortSignal,
  ): Promise<Response> {
    const refusal = policy.refusalOfUrl(url.href);
    if (refusal) throw new ProbeFailure('blocked', refusal.rule);
    try {
      return await fetch(url, {
        method,
        redirect: 'manual',
        signal,
        dispatcher: agent,
        headers: {
          'user-agent': 'OpsHub-Health',
          'accept-encoding': 'identity',
        },
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const { errorClass, message } = classifyProbeError(error, url.host);
      throw new ProbeFailure(errorClass, message);
    }
  }

  /** The final response after redirects (its body not read yet). */
  async function follow(
    probe: ProbeRequest,
    expected: (status: number) => boolean,
    signal: AbortSignal,
  ): Promise<Response> {
    let url = parseProbeUrl(probe.url);
    for (let hop = 0; ; hop++) {
      const response = await request(url, probe.method, signal);
      const location = response.headers.get('location');
      // A redirect the check expects is its answer (e.g. `301`).
      if (
        !REDIRECT_STATUSES.has(response.status) ||
        location === null ||
        expected(response.status)
      ) {
        return response;
      }
      await response.body?.cancel().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw new ProbeFailure(
          'status',
          `status ${response.status} redirects more than ${maxRedirects} time(s) (opshub.health.maxRedirects)`,
          response.status,
        );
      }
      url = parseRedirect(location, url, response.status);
    }
  }

  async function run(
    probe: ProbeRequest,
    signal: AbortSignal,
  ): Promise<{ statusCode: number | null; failure?: ProbeFailure }> {
    let expected: (status: number) => boolean;
    try {
      expected = parseExpectedStatus(probe.expectedStatus);
    } catch (error) {
      return {
        statusCode: null,
        failure: new ProbeFailure('status', (error as Error).message),
      };
    }
    const response = await follow(probe, expected, signal);
    if (!expected(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      return {
        statusCode: response.status,
        failure: new ProbeFailure(
          'status',
          `status ${response.status} not in ${probe.expectedStatus}`,
          response.status,
        ),
      };
    }
    // HEAD has no body to read; undici gives it none.
    const body =
      probe.method === 'HEAD'
        ? { bytes: new Uint8Array(0), capped: false }
        : await readBody(response, maxBodyBytes, signal, hostOf(response));
    const mismatch = bodyAssertionFailure(body, probe);
    return {
      statusCode: response.status,
      failure: mismatch
        ? new ProbeFailure('assertion', mismatch, response.status)
        : undefined,
    };
  }

  return {
    async probe(probe, signal) {
      const started = now();
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new Error('probe timeout')),
        probe.timeoutMs,
      );
      const combined = signal
        ? AbortSignal.any([deadline.signal, signal])
        : deadline.signal;
      let outcome: { statusCode: number | null; failure?: ProbeFailure };
      try {
        outcome = await run(probe, combined);
      } catch (error) {
        if (error instanceof ProbeFailure) {
          outcome = { statusCode: error.statusCode, failure: error };
        } else if (deadline.signal.aborted) {
          outcome = {
            statusCode: null,
            failure: new ProbeFailure(
              'timeout',
              `no complete answer within ${probe.timeoutMs} ms`,
            ),
          };
        } else {
          // The caller's signal (shutdown): not the target's failure.
          throw error;
        }
      } finally {
        clearTimeout(timer);
      }
      const latencyMs = Math.max(0, Math.round(now() - started));
      const { failure, statusCode } = outcome;
      let result: OpsHubProbeOutcome = 'success';
      if (failure) result = 'failure';
      else if (
        probe.degradedLatencyMs !== null &&
        latencyMs > probe.degradedLatencyMs
      ) {
        result = 'degraded';
      }
      return {
        outcome: result,
        startedAt: new Date(started),
        latencyMs,
        statusCode,
        errorClass: failure?.errorClass ?? null,
        message: failure?.message ?? null,
      } satisfies ProbeResult;
    },
    close: () => agent.close(),
  };
}

function hostOf(response: Response): string {
  try {
    return new URL(response.url).host;
  } catch {
    return 'the target';
  }
}

async function readBody(
  response: Response,
  maxBodyBytes: number,
  signal: AbortSignal,
  host: string,
): Promise<{ bytes: Uint8Array; capped: boolean }> {
  try {
    return await readCappedBody(response.body, maxBodyBytes);
  } catch (error) {
    if (signal.aborted) throw error;
    const { errorClass, message } = classifyProbeError(error, host);
    throw new ProbeFailure(errorClass, message, response.status);
  }
}

function parseProbeUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ProbeFailure('connect', 'the URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeFailure('connect', 'only http and https URLs are probed');
  }
  return url;
}

function parseRedirect(location: string, from: URL, status: number): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new ProbeFailure(
      'status',
      `status ${status} redirects to an invalid location`,
      status,
    );
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new ProbeFailure(
      'status',
      `status ${status} redirects to a ${next.protocol.replace(
        ':',
        '',
      )} URL (only http and https are followed)`,
      status,
    );
  }
  return next;
}
