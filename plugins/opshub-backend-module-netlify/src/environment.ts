import type { NetlifyAPI } from '@netlify/api';
import {
  PreviewProviderPermanentError,
  type PreviewVariable,
  type PushedVariable,
} from '@opshub/plugin-opshub-node';
import { httpStatusOf } from './netlifyApi';

/** An env var as `getEnvVars` answers it. */
export interface NetlifyEnvVar {
  key?: string;
  scopes?: string[];
  values?: NetlifyEnvValue[];
  is_secret?: boolean;
}

/** One context value of an env var (`value` is absent or masked for secrets). */
export interface NetlifyEnvValue {
  id?: string;
  value?: string;
  context?: string;
  context_parameter?: string;
}

/** Every scope Netlify documents for an env var. */
export const ALL_SCOPES = [
  'builds',
  'functions',
  'runtime',
  'post-processing',
] as const;

/** `detail` of a variable whose key OpsHub created. */
export const CREATED_KEY = 'key';
/** `detail` of a variable whose key existed: OpsHub set one branch value. */
export const SET_VALUE = 'value';

/** The value of `key` for exactly `branch`'s branch context, if any. */
export function branchValueOf(
  envVar: NetlifyEnvVar | undefined,
  branch: string,
): NetlifyEnvValue | undefined {
  return envVar?.values?.find(
    value => value.context === 'branch' && value.context_parameter === branch,
  );
}

/**
 * Whether removing `recorded` may delete the whole key: OpsHub created it
 * and its only value is the one OpsHub recorded (nobody added another
 * context's or branch's value since).
 */
export function mayDeleteKey(
  recorded: PushedVariable,
  envVar: NetlifyEnvVar,
): boolean {
  const values = envVar.values ?? [];
  return (
    recorded.detail === CREATED_KEY &&
    values.every(value => value.id === recorded.providerId)
  );
}

/**
 * Replaces every variable value that occurs in `text` (e.g. a provider's
 * error message echoing a request) with `[redacted]`.
 */
export function redactValues(
  text: string | undefined,
  values: string[],
): string | undefined {
  if (!text) return text;
  let redacted = text;
  for (const value of values) {
    if (value.length > 0) redacted = redacted.split(value).join('[redacted]');
  }
  return redacted;
}

/**
 * One `syncEnvironment` run's calls on the env routes of one site's account,
 * for the branch context of one branch.
 */
export class EnvironmentSync {
  constructor(
    private readonly client: NetlifyAPI,
    /** One call through the provider's error mapping (values redacted). */
    private readonly callApi: <T>(
      operation: string,
      call: (signal: AbortSignal) => Promise<T>,
    ) => Promise<T>,
    private readonly accountId: string,
    private readonly siteId: string,
    private readonly branch: string,
  ) {}

  private call<T>(
    operation: string,
    call: (client: NetlifyAPI, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    return this.callApi(operation, signal => call(this.client, signal));
  }

  private get scope() {
    return { accountId: this.accountId, siteId: this.siteId };
  }

  private where(key: string): string {
    return `variable ${key} for branch '${this.branch}' on site ${this.siteId}`;
  }

  async list(): Promise<NetlifyEnvVar[]> {
    const listed = await this.call(
      `list the environment variables of site ${this.siteId}`,
      (client, signal) => client.getEnvVars(this.scope, { signal }),
    );
    return Array.isArray(listed) ? (listed as NetlifyEnvVar[]) : [];
  }

  /**
   * Refuses, before anything is written, a variable OpsHub has not recorded
   * whose key already holds a value for exactly this branch: that value was
   * set outside OpsHub (OpsHub records every value it sets), and OpsHub never
   * overwrites or removes it. Netlify values carry no marker, so a value of
   * OpsHub's own push whose answer was lost (a crash between Netlify's answer
   * and OpsHub's record) is refused the same way; the team deletes it.
   */
  refuseOthersBranchValues(
    variables: PreviewVariable[],
    recordedByName: ReadonlyMap<string, PushedVariable>,
    byKey: ReadonlyMap<string | undefined, NetlifyEnvVar>,
  ): void {
    for (const { name } of variables) {
      if (recordedByName.has(name)) continue;
      if (!branchValueOf(byKey.get(name), this.branch)) continue;
      throw new PreviewProviderPermanentError(
        `Netlify variable ${name} already has a value for branch ` +
          `'${this.branch}' on site ${this.siteId} that was not created by ` +
          'OpsHub; OpsHub does not change or remove it. Delete that branch ' +
          `value of ${name} in Netlify to let OpsHub manage it, or remove ` +
          `${name} from the preview's variables (if an earlier OpsHub push ` +
          'was interrupted before OpsHub recorded it, deleting that branch ' +
          'value lets the next push succeed)',
        'configuration',
      );
    }
  }

  /**
   * Undoes, as far as Netlify lets it, what this call wrote for a variable
   * OpsHub had not recorded before (so a retry does not find it as a value
   * of others): the key it created, or the branch value it set.
   */
  async rollBack(created: PushedVariable): Promise<void> {
    if (created.detail === CREATED_KEY) {
      await this.deleteKey(created.name);
      return;
    }
    await this.call(
      `delete the value of ${this.where(created.name)}`,
      (client, signal) =>
        removed(
          client.deleteEnvVarValue(
            {
              ...this.scope,
              key: encodeURIComponent(created.name),
              id: created.providerId,
            },
            { signal },
          ),
        ),
    );
  }

  async push(
    variable: PreviewVariable,
    recorded: PushedVariable | undefined,
    existing: NetlifyEnvVar | undefined,
  ): Promise<PushedVariable> {
    const key = variable.name;
    if (!existing) return this.create(variable);
    const ownKey = recorded?.detail === CREATED_KEY;
    if (variable.sensitive && !existing.is_secret) {
      if (ownKey && mayDeleteKey(recorded, existing)) {
        // Made sensitive since OpsHub created it: recreate it as a secret.
        await this.deleteKey(key);
        return this.create(variable);
      }
      throw new PreviewProviderPermanentError(
        `Netlify variable ${key} on site ${this.siteId} was not created by ` +
          'OpsHub and is not secret; OpsHub does not put the sensitive ' +
          `variable ${key} for branch '${this.branch}' in it`,
        'configuration',
      );
    }
    const answer = (await this.call(
      `set ${this.where(key)}`,
      (client, signal) =>
        client.setEnvVarValue(
          {
            ...this.scope,
            key: encodeURIComponent(key),
            body: {
              context: 'branch',
              context_parameter: this.branch,
              value: variable.value,
            },
          },
          { signal },
        ),
    )) as NetlifyEnvVar;
    return {
      name: key,
      providerId: this.valueIdIn(answer, key),
      detail: ownKey ? CREATED_KEY : SET_VALUE,
    };
  }

  private async create(variable: PreviewVariable): Promise<PushedVariable> {
    const key = variable.name;
    const answer = (await this.call(
      `create ${this.where(key)}`,
      (client, signal) =>
        client.createEnvVars(
          {
            ...this.scope,
            body: [
              {
                key,
                scopes: [...ALL_SCOPES],
                values: [
                  {
                    context: 'branch',
                    context_parameter: this.branch,
                    value: variable.value,
                  },
                ],
                is_secret: variable.sensitive,
              },
            ],
          },
          { signal },
        ),
    )) as NetlifyEnvVar[];
    const created = Array.isArray(answer)
      ? answer.find(envVar => envVar.key === key)
      : undefined;
    return {
      name: key,
      providerId: this.valueIdIn(created, key),
      detail: CREATED_KEY,
    };
  }

  private valueIdIn(envVar: NetlifyEnvVar | undefined, key: string): string {
    const id = branchValueOf(envVar, this.branch)?.id;
    if (!id) {
      throw new PreviewProviderPermanentError(
        `Netlify answered for ${this.where(key)} without the value's id`,
        'unknown',
      );
    }
    return id;
  }

  /**
   * Removes what OpsHub recorded for a variable: the whole key when OpsHub
   * created it and it holds no other value, else exactly the recorded value.
   * Already gone counts as removed.
   */
  async remove(
    recorded: PushedVariable,
    existing: NetlifyEnvVar | undefined,
  ): Promise<void> {
    if (!existing) return;
    const key = recorded.name;
    if (mayDeleteKey(recorded, existing)) {
      await this.deleteKey(key);
      return;
    }
    const listedIds = existing.values?.map(value => value.id);
    if (listedIds && !listedIds.includes(recorded.providerId)) return;
    await this.call(
      `delete the value of ${this.where(key)}`,
      (client, signal) =>
        removed(
          client.deleteEnvVarValue(
            {
              ...this.scope,
              key: encodeURIComponent(key),
              id: recorded.providerId,
            },
            { signal },
          ),
        ),
    );
  }

  private deleteKey(key: string): Promise<void> {
    return this.call(
      `delete variable ${key} on site ${this.siteId}`,
      (client, signal) =>
        removed(
          client.deleteEnvVar(
            { ...this.scope, key: encodeURIComponent(key) },
            { signal },
          ),
        ),
    );
  }
}

/**
 * A delete's outcome: 404 is already removed, and the client throws on the
 * empty 204 body when the answer says `application/json`.
 */
async function removed(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 404) return;
    if (status !== undefined && status >= 200 && status < 300) return;
    throw error;
  }
}
