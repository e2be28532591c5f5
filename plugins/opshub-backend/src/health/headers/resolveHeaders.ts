import type { EnvVarCipher } from '../../envvars/EnvVarCipher';
import type { EnvVarKey, EnvVarStore } from '../../envvars/EnvVarStore';
import { ENV_REFERENCE, envReferences, isHeaderValue } from './headerSchema';

/** The environment whose variables `${env:NAME}` references read. */
export const HEADER_VARIABLES_ENVIRONMENT = 'production';

/**
 * A check's headers ready to send, or why they cannot be: `failure` names
 * the header and the variable, never a value.
 */
export type ResolvedHeaders =
  | { headers: Record<string, string> }
  | { failure: string };

/** Resolves the `${env:NAME}` references of one entity's check headers. */
export type ResolveHeaders = (
  entityRef: string,
  templates: Record<string, string>,
) => Promise<ResolvedHeaders>;

/**
 * Header templates to values at probe time: each `${env:NAME}` becomes the
 * entity's variable NAME of the production environment (its own value, no
 * branch override), read sealed and opened in memory for this probe only.
 * Nothing is cached, logged or returned but the headers themselves.
 */
export function createHeaderResolver(deps: {
  envVars: Pick<EnvVarStore, 'get'>;
  cipher: Pick<EnvVarCipher, 'open'>;
}): ResolveHeaders {
  return async (entityRef, templates) => {
    const values = new Map<string, string>();
    for (const [header, template] of Object.entries(templates)) {
      for (const name of envReferences(template)) {
        if (values.has(name)) continue;
        const opened = await openVariable(deps, header, {
          entityRef,
          environment: HEADER_VARIABLES_ENVIRONMENT,
          branch: null,
          name,
        });
        if (typeof opened !== 'string') return opened;
        values.set(name, opened);
      }
    }
    const headers: Record<string, string> = {};
    for (const [header, template] of Object.entries(templates)) {
      headers[header] =
        values.size === 0
          ? template
          : template.replace(
              ENV_REFERENCE,
              (_, name: string) => values.get(name)!,
            );
    }
    return { headers };
  };
}

async function openVariable(
  deps: Parameters<typeof createHeaderResolver>[0],
  header: string,
  key: EnvVarKey,
): Promise<string | { failure: string }> {
  const reference = `\${env:${key.name}}`;
  const stored = await deps.envVars.get(key);
  if (!stored) {
    return {
      failure: `header ${header}: ${reference} is not a variable of ${key.entityRef} in its ${key.environment} environment`,
    };
  }
  let value: string;
  try {
    value = await deps.cipher.open(stored.sealed, {
      ...key,
      version: stored.version,
    });
  } catch {
    return {
      failure: `header ${header}: ${reference} (${key.environment}) could not be decrypted: is the key that sealed it (${stored.sealed.keyId}) in opshub.encryption.keys?`,
    };
  }
  if (!isHeaderValue(value)) {
    return {
      failure: `header ${header}: ${reference} holds a line break or another character a header cannot carry`,
    };
  }
  return value;
}
