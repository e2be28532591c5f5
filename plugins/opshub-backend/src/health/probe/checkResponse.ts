import type { OpsHubJsonPathAssertion } from '@opshub/plugin-opshub-common';
import { jsonValueEquals, valueAt } from './jsonPath';

const MAX_ECHOED_VALUE = 100;

/**
 * Why a body fails a check's assertions (`bodyContains`, then the JSON
 * path), or undefined when it passes. Messages never quote the body; the
 * value found at a JSON path is quoted only when short.
 */
export function bodyAssertionFailure(
  body: { bytes: Uint8Array; capped: boolean },
  assertions: {
    bodyContains: string | null;
    jsonPath: OpsHubJsonPathAssertion | null;
  },
): string | undefined {
  const { bodyContains, jsonPath } = assertions;
  if (bodyContains === null && jsonPath === null) return undefined;
  const text = new TextDecoder('utf-8').decode(body.bytes);
  const read = body.capped
    ? ` (in the first ${body.bytes.byteLength} bytes read)`
    : '';

  if (bodyContains !== null && !text.includes(bodyContains)) {
    return `body does not contain the expected text${read}`;
  }
  if (jsonPath !== null) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return `body is not JSON${read}, so ${jsonPath.path} cannot be read`;
    }
    const expected = JSON.stringify(jsonPath.equals);
    const { found, value } = valueAt(json, jsonPath.path);
    if (!found) {
      return `${jsonPath.path} is missing, expected ${expected}`;
    }
    if (!jsonValueEquals(value, jsonPath.equals)) {
      const actual = JSON.stringify(value);
      return actual.length <= MAX_ECHOED_VALUE
        ? `${jsonPath.path} is ${actual}, expected ${expected}`
        : `${jsonPath.path} differs from the expected ${expected}`;
    }
  }
  return undefined;
}
