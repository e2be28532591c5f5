import type { OpsHubEnvVar } from '@opshub/plugin-opshub-common';
import type { OpsHubEnvVarKey } from '../../api/OpsHubApi';

/** The environments every entity has, in the order their tabs show. */
export const STANDARD_ENVIRONMENTS = ['production', 'preview', 'development'];

/** Variable names the backend accepts. */
export const ENV_VAR_NAME = /^[A-Z_][A-Z0-9_]{0,255}$/;

/** The largest value the backend accepts, in bytes (UTF-8). */
export const MAX_VALUE_BYTES = 64 * 1024;

/** The largest `.env` text the import route accepts, in bytes. */
export const MAX_IMPORT_BYTES = 1024 * 1024;

/** How long a revealed value shows before it is masked again. */
export const REMASK_AFTER_MS = 30_000;

/** The standard environments, then any custom ones the variables name. */
export function environmentsOf(vars: OpsHubEnvVar[]): string[] {
  const custom = [...new Set(vars.map(v => v.environment))]
    .filter(e => !STANDARD_ENVIRONMENTS.includes(e))
    .sort();
  return [...STANDARD_ENVIRONMENTS, ...custom];
}

export function keyOf(v: OpsHubEnvVar): OpsHubEnvVarKey {
  return { environment: v.environment, name: v.name, branch: v.branch };
}

/** One string per variable (environment, branch override, name). */
export function idOf(key: OpsHubEnvVarKey): string {
  return JSON.stringify([key.environment, key.branch ?? '', key.name]);
}

/** `NAME`, or `NAME (branch)` for a branch override. */
export function labelOf(key: OpsHubEnvVarKey): string {
  return key.branch ? `${key.name} (${key.branch})` : key.name;
}

/** The HTTP status of a backend error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  return (error as { response?: { status?: number } } | undefined)?.response
    ?.status;
}

export function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}
