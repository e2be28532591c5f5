import { z } from 'zod';

/** `${env:NAME}`: a variable of the check's entity, in its production environment. */
export const ENV_REFERENCE = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** The most headers one check sends. */
export const MAX_HEADERS = 20;

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** RFC 9110 field-value characters: visible, space, tab and obs-text. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Whether a header may carry `value` (no line breaks or control characters). */
export function isHeaderValue(value: string): boolean {
  return HEADER_VALUE.test(value);
}

/** Set by the prober or the connection: a check may not send its own. */
const RESERVED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

/**
 * Headers whose values are credentials: they must come from the entity's
 * encrypted variables (`${env:NAME}`), never as plain text in the check.
 */
export function isSecretHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    lower === 'authorization' ||
    lower === 'proxy-authorization' ||
    lower === 'cookie' ||
    /(token|secret|key|password|auth|session|signature)/.test(lower)
  );
}

/** The variable names a header value references. */
export function envReferences(value: string): string[] {
  return [...value.matchAll(ENV_REFERENCE)].map(match => match[1]);
}

/** A check's request headers as the API takes them. */
export const headersSchema = z
  .record(z.string(), z.string().max(1024))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_HEADERS) {
      ctx.addIssue({
        code: 'custom',
        message: `at most ${MAX_HEADERS} headers`,
      });
    }
    const seen = new Set<string>();
    for (const name of names) {
      const lower = name.toLowerCase();
      const value = headers[name];
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${name}" is not a header name`,
        });
      } else if (RESERVED.has(lower)) {
        ctx.addIssue({ code: 'custom', message: `${name} is set by OpsHub` });
      } else if (seen.has(lower)) {
        ctx.addIssue({ code: 'custom', message: `${name} is given twice` });
      } else if (!isHeaderValue(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `${name}: line breaks and control characters are not allowed`,
        });
      } else if (isSecretHeader(name) && envReferences(value).length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} carries a credential: reference an encrypted variable of the entity, e.g. "Bearer \${env:API_TOKEN}"`,
        });
      }
      seen.add(lower);
    }
  });
