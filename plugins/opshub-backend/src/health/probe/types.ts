import type {
  OpsHubHealthCheckMethod,
  OpsHubHealthErrorClass,
  OpsHubJsonPathAssertion,
  OpsHubProbeOutcome,
} from '@opshub/plugin-opshub-common';

/** What one probe asks of a URL: a check's definition, as the prober needs it. */
export interface ProbeRequest {
  url: string;
  method: OpsHubHealthCheckMethod;
  /** The whole probe, redirects included, ends as `timeout` after this. */
  timeoutMs: number;
  /** e.g. `200-299` or `200,204,301-302` (parseExpectedStatus). */
  expectedStatus: string;
  bodyContains: string | null;
  jsonPath: OpsHubJsonPathAssertion | null;
  /** A success slower than this is `degraded`; null: never. */
  degradedLatencyMs: number | null;
  /**
   * Request headers, sent only to the URL's origin (not after a redirect
   * to another). A job's payload holds the check's templates, whose
   * `${env:NAME}` references are no secret; the job handler resolves them
   * in memory before the prober sends them (headers/resolveHeaders.ts).
   */
  headers: Record<string, string>;
  /**
   * A success whose TLS certificate (any of its https hops) expires within
   * this many days is `degraded`; null: not checked.
   */
  certExpiryDays: number | null;
}

export interface ProbeResult {
  outcome: OpsHubProbeOutcome;
  /** When the probe started (before name resolution). */
  startedAt: Date;
  /** Start to the end of the body (or of the failure), in ms. */
  latencyMs: number;
  /** The final response's status, null without one. */
  statusCode: number | null;
  /** Null unless the outcome is `failure`. */
  errorClass: OpsHubHealthErrorClass | null;
  /**
   * Why it failed or is degraded, for people (never a response body or a
   * header value): e.g. "blocked: 10.0.0.1 is private
   * (opshub.health.allowPrivateNetworks)", "certificate expires in 5 days
   * (2026-12-06)"; null for a success and a merely slow probe.
   */
  message: string | null;
}

/** Probes a URL; never throws for the target's failures (they are results). */
export interface Prober {
  probe(request: ProbeRequest, signal?: AbortSignal): Promise<ProbeResult>;
}

/** Why an address may not be probed, naming the rule; undefined: allowed. */
export type AddressRefusal = { rule: string } | undefined;
