import type {
  OpsHubHealthCheck,
  OpsHubHealthCheckInput,
  OpsHubHealthCheckMethod,
  OpsHubJsonPathAssertion,
} from '@opshub/plugin-opshub-common';

/** One request header as the form edits it. */
export interface HeaderRow {
  name: string;
  value: string;
}

/** The check dialog's fields, as typed. */
export interface HealthCheckForm {
  name: string;
  url: string;
  method: OpsHubHealthCheckMethod;
  expectedStatus: string;
  bodyContains: string;
  jsonPath: string;
  jsonEquals: string;
  timeoutMs: string;
  intervalMs: string;
  degradedLatencyMs: string;
  failureThreshold: string;
  recoveryThreshold: string;
  enabled: boolean;
  headers: HeaderRow[];
  certExpiryDays: string;
  /** Shown in minutes, sent as `alertCooldownMs`. */
  alertCooldownMinutes: string;
  /** Shown in hours (0: none), sent as `reminderIntervalMs`. */
  reminderIntervalHours: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The backend's defaults, for a new check. */
export const NEW_CHECK: HealthCheckForm = {
  name: '',
  url: '',
  method: 'GET',
  expectedStatus: '200-299',
  bodyContains: '',
  jsonPath: '',
  jsonEquals: '',
  timeoutMs: '10000',
  intervalMs: '60000',
  degradedLatencyMs: '',
  failureThreshold: '3',
  recoveryThreshold: '2',
  enabled: true,
  headers: [],
  certExpiryDays: '',
  alertCooldownMinutes: '15',
  reminderIntervalHours: '4',
};

/** The form of an existing check. */
export function formOf(check: OpsHubHealthCheck): HealthCheckForm {
  return {
    name: check.name,
    url: check.url,
    method: check.method,
    expectedStatus: check.expectedStatus,
    bodyContains: check.bodyContains ?? '',
    jsonPath: check.jsonPath?.path ?? '',
    jsonEquals: check.jsonPath ? JSON.stringify(check.jsonPath.equals) : '',
    timeoutMs: String(check.timeoutMs),
    intervalMs: String(check.intervalMs),
    degradedLatencyMs:
      check.degradedLatencyMs === null ? '' : String(check.degradedLatencyMs),
    failureThreshold: String(check.failureThreshold),
    recoveryThreshold: String(check.recoveryThreshold),
    enabled: check.enabled,
    headers: Object.entries(check.headers ?? {}).map(([name, value]) => ({
      name,
      value,
    })),
    certExpiryDays:
      check.certExpiryDays === null ? '' : String(check.certExpiryDays),
    alertCooldownMinutes: String(check.alertCooldownMs / MINUTE_MS),
    reminderIntervalHours: String(check.reminderIntervalMs / HOUR_MS),
  };
}

/**
 * What the JSON value must equal: typed JSON (`true`, `42`, `"42"`, `null`)
 * as itself, any other text as a string.
 */
function equalsOf(text: string): OpsHubJsonPathAssertion['equals'] {
  try {
    const value: unknown = JSON.parse(text);
    if (
      value === null ||
      ['string', 'number', 'boolean'].includes(typeof value)
    ) {
      return value as OpsHubJsonPathAssertion['equals'];
    }
  } catch {
    // Not JSON: the text itself.
  }
  return text;
}

const isCount = (text: string) => /^[1-9]\d*$/.test(text.trim());
const isAmount = (text: string) => /^\d+(\.\d+)?$/.test(text.trim());

/** The header rows that say something (blank rows are left out). */
const filledHeaders = (rows: HeaderRow[]) =>
  rows.filter(row => row.name.trim() || row.value.trim());

/** Why the headers cannot be sent, if they cannot. */
function headersProblem(rows: HeaderRow[]): string | undefined {
  const seen = new Set<string>();
  for (const row of filledHeaders(rows)) {
    const name = row.name.trim();
    if (!name) return 'Every header needs a name';
    if (seen.has(name.toLowerCase())) return `${name} is given twice`;
    seen.add(name.toLowerCase());
  }
  return undefined;
}

/** Why each field cannot be sent, if it cannot. */
export function problemsOf(
  form: HealthCheckForm,
): Partial<Record<keyof HealthCheckForm, string>> {
  const problems: Partial<Record<keyof HealthCheckForm, string>> = {};
  if (!form.name.trim()) problems.name = 'Required';
  let url: URL | undefined;
  try {
    url = new URL(form.url.trim());
  } catch {
    // Reported below.
  }
  if (!url || !['http:', 'https:'].includes(url.protocol)) {
    problems.url = 'An http or https URL';
  }
  if (!form.expectedStatus.trim()) problems.expectedStatus = 'Required';
  if (form.jsonPath.trim() && !form.jsonEquals.trim()) {
    problems.jsonEquals = 'The value the path must equal';
  }
  if (!form.jsonPath.trim() && form.jsonEquals.trim()) {
    problems.jsonPath = 'A path such as $.status';
  }
  for (const key of [
    'timeoutMs',
    'intervalMs',
    'failureThreshold',
    'recoveryThreshold',
  ] as const) {
    if (!isCount(form[key])) problems[key] = 'A whole number above 0';
  }
  if (form.degradedLatencyMs.trim() && !isCount(form.degradedLatencyMs)) {
    problems.degradedLatencyMs = 'A whole number above 0, or empty';
  }
  if (
    form.certExpiryDays.trim() &&
    !(isCount(form.certExpiryDays) && Number(form.certExpiryDays) <= 365)
  ) {
    problems.certExpiryDays = 'A whole number of days from 1 to 365, or empty';
  }
  if (!isAmount(form.alertCooldownMinutes)) {
    problems.alertCooldownMinutes = 'A number of minutes, 0 or more';
  }
  if (!isAmount(form.reminderIntervalHours)) {
    problems.reminderIntervalHours = 'A number of hours; 0: no reminders';
  }
  const headers = headersProblem(form.headers);
  if (headers) problems.headers = headers;
  return problems;
}

/** The check the form describes, every duration in milliseconds. */
export function inputOf(form: HealthCheckForm): OpsHubHealthCheckInput {
  return {
    name: form.name.trim(),
    url: form.url.trim(),
    method: form.method,
    expectedStatus: form.expectedStatus.trim(),
    bodyContains: form.bodyContains || null,
    jsonPath: form.jsonPath.trim()
      ? { path: form.jsonPath.trim(), equals: equalsOf(form.jsonEquals.trim()) }
      : null,
    timeoutMs: Number(form.timeoutMs),
    intervalMs: Number(form.intervalMs),
    degradedLatencyMs: form.degradedLatencyMs.trim()
      ? Number(form.degradedLatencyMs)
      : null,
    failureThreshold: Number(form.failureThreshold),
    recoveryThreshold: Number(form.recoveryThreshold),
    enabled: form.enabled,
    headers: Object.fromEntries(
      filledHeaders(form.headers).map(row => [row.name.trim(), row.value]),
    ),
    certExpiryDays: form.certExpiryDays.trim()
      ? Number(form.certExpiryDays)
      : null,
    alertCooldownMs: Math.round(Number(form.alertCooldownMinutes) * MINUTE_MS),
    reminderIntervalMs: Math.round(
      Number(form.reminderIntervalHours) * HOUR_MS,
    ),
  };
}

/** The fields of `next` that differ from `existing`'s. */
export function changesOf(
  existing: OpsHubHealthCheck,
  next: OpsHubHealthCheckInput,
): Partial<OpsHubHealthCheckInput> {
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next)) {
    const before = existing[key as keyof OpsHubHealthCheckInput] ?? null;
    if (JSON.stringify(before) !== JSON.stringify(value)) {
      changes[key] = value;
    }
  }
  return changes as Partial<OpsHubHealthCheckInput>;
}
