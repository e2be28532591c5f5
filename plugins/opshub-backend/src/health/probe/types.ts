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
   * Why it failed, for people (never a response body or a header value):
   * e.g. "blocked: 10.0.0.1 is private (opshub.health.allowPrivateNetworks)".
   */
  message: string | null;
}

/** Probes a URL; never throws for the target's failures (they are results). */
export interface Prober {
  probe(request: ProbeRequest, signal?: AbortSignal): Promise<ProbeResult>;
}

/** Why an address may not be probed, naming the rule; undefined: allowed. */
export type AddressRefusal = { rule: string } | undefined;
