import type { OpsHubHealthErrorClass } from '@opshub/plugin-opshub-common';
import { BlockedAddressError } from './guardedConnector';

const DNS_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NONAME',
  'EAI_NODATA',
  'ENODATA',
  'ESERVFAIL',
  'EREFUSED',
  'ENONAME',
  'ETIMEOUT',
]);

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Node's certificate verification codes (tls.TLSSocket.authorizationError). */
const CERTIFICATE_CODE =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_|HOSTNAME_MISMATCH$|ERR_TLS_|ERR_SSL_|EPROTO$)/;

/** The errors behind a fetch failure, outermost first (fetch wraps them as `cause`). */
function chain(error: unknown): unknown[] {
  const errors: unknown[] = [];
  let current = error;
  while (current && errors.length < 8 && !errors.includes(current)) {
    errors.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return errors;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The error class and a message for why a request failed. Messages are
 * built from error codes and the host only: an error's own message can
 * carry a URL (with credentials) or other text that must not be stored.
 */
export function classifyProbeError(
  error: unknown,
  host: string,
): { errorClass: OpsHubHealthErrorClass; message: string } {
  const errors = chain(error);
  const blocked = errors.find(e => e instanceof BlockedAddressError);
  if (blocked) {
    return {
      errorClass: 'blocked',
      message: (blocked as BlockedAddressError).rule,
    };
  }
  const codes = errors.map(codeOf).filter((c): c is string => !!c);
  const dns = codes.find(c => DNS_CODES.has(c));
  if (dns) {
    return { errorClass: 'dns', message: `${host} did not resolve (${dns})` };
  }
  const timeout = codes.find(c => TIMEOUT_CODES.has(c));
  if (timeout) {
    return {
      errorClass: 'timeout',
      message: `${host} did not answer in time (${timeout})`,
    };
  }
  const tls =
    codes.find(c => CERTIFICATE_CODE.test(c)) ??
    (errors.some(e => (e as { library?: unknown })?.library === 'SSL routines')
      ? 'SSL'
      : undefined);
  if (tls) {
    return {
      errorClass: 'tls',
      message: `TLS with ${host} failed (${tls})`,
    };
  }
  const code =
    codes.find(c => !c.startsWith('UND_ERR') || c === 'UND_ERR_SOCKET') ??
    codes[0] ??
    (errors[errors.length - 1] as { name?: string } | undefined)?.name ??
    'unknown error';
  return {
    errorClass: 'connect',
    message: `connection to ${host} failed (${code})`,
  };
}
