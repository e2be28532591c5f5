import { randomUUID } from 'node:crypto';
import type {
  FakeApiRequest,
  FakeProviderApi,
} from '@opshub/plugin-opshub-node/testUtils';
import { ACCOUNT_ID, envVarObject, SITE_ID } from './netlifyObjects';

type JsonObject = Record<string, unknown>;

/** A stored value: what Netlify keeps, plaintext included. */
export interface StoredValue {
  id: string;
  value: string;
  context: string;
  context_parameter: string;
}

/** A stored env var of the site. */
export interface StoredEnvVar {
  key: string;
  scopes: string[];
  values: StoredValue[];
  is_secret: boolean;
}

export const ENV_LIST = 'GET /api/v1/accounts/:account_id/env';
export const ENV_CREATE = 'POST /api/v1/accounts/:account_id/env';
export const ENV_SET = 'PATCH /api/v1/accounts/:account_id/env/:key';
export const ENV_DELETE = 'DELETE /api/v1/accounts/:account_id/env/:key';
export const ENV_DELETE_VALUE =
  'DELETE /api/v1/accounts/:account_id/env/:key/value/:id';

const NOT_FOUND = {
  status: 404,
  body: { code: 404, message: 'Not Found' },
};

/**
 * The site's environment variables on the fake's account routes, as
 * Netlify keeps them: one var per key with a value per context (and per
 * branch for the `branch` context). `vars` is what tests inspect and seed;
 * answers carry every documented property, secrets without their
 * plaintext.
 */
export function fakeNetlifyEnv(api: FakeProviderApi) {
  const vars = new Map<string, StoredEnvVar>();

  const answerOf = (envVar: StoredEnvVar): JsonObject =>
    envVarObject({
      key: envVar.key,
      scopes: envVar.scopes,
      is_secret: envVar.is_secret,
      values: envVar.values.map(value => ({
        ...value,
        // Secrets are readable in the dev contexts only.
        value:
          envVar.is_secret && !value.context.startsWith('dev')
            ? ''
            : value.value,
      })),
    });

  /** Only the fixture site on its account: anything else is unknown. */
  const unknownScope = (request: FakeApiRequest) =>
    request.params.account_id !== ACCOUNT_ID ||
    request.query.get('site_id') !== SITE_ID;

  api.route(ENV_LIST, request =>
    unknownScope(request)
      ? NOT_FOUND
      : { body: [...vars.values()].map(answerOf) },
  );
  api.route(ENV_CREATE, request => {
    if (unknownScope(request)) return NOT_FOUND;
    const body = request.body as Array<{
      key: string;
      scopes?: string[];
      values: Array<Omit<StoredValue, 'id'>>;
      is_secret?: boolean;
    }>;
    if (body.some(item => vars.has(item.key))) {
      return {
        status: 400,
        body: { code: 400, message: 'Environment variable already exists' },
      };
    }
    const created = body.map(item => {
      const envVar: StoredEnvVar = {
        key: item.key,
        scopes: item.scopes ?? [
          'builds',
          'functions',
          'runtime',
          'post-processing',
        ],
        is_secret: item.is_secret ?? false,
        values: item.values.map(value => ({
          id: randomUUID(),
          value: value.value,
          context: value.context,
          context_parameter: value.context_parameter ?? '',
        })),
      };
      vars.set(envVar.key, envVar);
      return answerOf(envVar);
    });
    return { status: 201, body: created };
  });
  api.route(ENV_SET, request => {
    const envVar = vars.get(request.params.key);
    if (unknownScope(request) || !envVar) return NOT_FOUND;
    const {
      context,
      context_parameter = '',
      value,
    } = request.body as {
      context: string;
      context_parameter?: string;
      value: string;
    };
    const existing = envVar.values.find(
      v => v.context === context && v.context_parameter === context_parameter,
    );
    if (existing) existing.value = value;
    else {
      envVar.values.push({
        id: randomUUID(),
        value,
        context,
        context_parameter,
      });
    }
    return { status: 201, body: answerOf(envVar) };
  });
  api.route(ENV_DELETE, request => {
    if (unknownScope(request) || !vars.delete(request.params.key)) {
      return NOT_FOUND;
    }
    return { status: 204 };
  });
  api.route(ENV_DELETE_VALUE, request => {
    const envVar = vars.get(request.params.key);
    const index =
      envVar?.values.findIndex(v => v.id === request.params.id) ?? -1;
    if (unknownScope(request) || !envVar || index < 0) return NOT_FOUND;
    envVar.values.splice(index, 1);
    return { status: 204 };
  });

  return {
    vars,
    /** Seeds a var "created by others". */
    seed(envVar: Omit<StoredEnvVar, 'scopes'> & { scopes?: string[] }) {
      vars.set(envVar.key, {
        scopes: ['builds', 'functions', 'runtime', 'post-processing'],
        ...envVar,
      });
    },
  };
}
