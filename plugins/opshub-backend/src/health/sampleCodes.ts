import {
  HEALTH_ERROR_CLASSES,
  type OpsHubHealthErrorClass,
  type OpsHubProbeOutcome,
  PROBE_OUTCOMES,
} from '@opshub/plugin-opshub-common';

/**
 * health_samples stores outcome and error class as smallints (two bytes
 * instead of a string per row, at 14.4 million rows a day): each is its
 * index in the common package's list, so the lists may only grow at the end.
 */

/** The code of a failure, for SQL that counts failed probes. */
export const FAILURE_CODE = PROBE_OUTCOMES.indexOf('failure');

export function outcomeToCode(outcome: OpsHubProbeOutcome): number {
  const code = PROBE_OUTCOMES.indexOf(outcome);
  if (code < 0) throw new Error(`Unknown probe outcome ${String(outcome)}`);
  return code;
}

export function outcomeFromCode(code: number | string): OpsHubProbeOutcome {
  const outcome = PROBE_OUTCOMES[Number(code)];
  if (outcome === undefined) throw new Error(`Unknown outcome code ${code}`);
  return outcome;
}

export function errorClassToCode(
  errorClass: OpsHubHealthErrorClass | null,
): number | null {
  if (errorClass === null) return null;
  const code = HEALTH_ERROR_CLASSES.indexOf(errorClass);
  if (code < 0) throw new Error(`Unknown error class ${String(errorClass)}`);
  return code;
}

export function errorClassFromCode(
  code: number | string | null,
): OpsHubHealthErrorClass | null {
  if (code === null) return null;
  const errorClass = HEALTH_ERROR_CLASSES[Number(code)];
  if (errorClass === undefined) {
    throw new Error(`Unknown error class code ${code}`);
  }
  return errorClass;
}
