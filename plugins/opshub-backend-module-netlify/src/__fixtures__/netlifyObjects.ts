/**
 * Netlify API objects as the fake answers them: every property of the
 * `deploy`, `build` and `site` definitions of Netlify's OpenAPI document
 * (`@netlify/open-api`), with values as Netlify sends them for a branch
 * deploy, and the site's deploy list as it answers it. `netlifyObjects.test.ts`
 * keeps them complete against the document.
 */

export const SITE_ID = '5b9f3c8e-6f0a-4c1d-9a7e-2d4b8c1e0f37';
export const DEPLOY_ID = '6650c3f2a1b2c30008d4e5f6';
export const BUILD_ID = '6650c3f2a1b2c30008d4e5f5';
export const HEAD_SHA = '3f2a9c1d7e5b4a6f8c0d2e4f6a8b0c1d3e5f7a9b';
export const ACCOUNT_ID = '5c1d2e3f4a5b6c7d8e9f0a1b';
const USER_ID = '5e8a1c2b3d4f5a6b7c8d9e0f';
const CREATED_AT = '2025-05-24T09:41:06.482Z';

type JsonObject = Record<string, unknown>;

/** A branch deploy of `feature/login-form`, building. */
export function deployObject(overrides: JsonObject = {}): JsonObject {
  return {
    id: DEPLOY_ID,
    site_id: SITE_ID,
    user_id: USER_ID,
    build_id: BUILD_ID,
    state: 'building',
    name: 'opshub-web',
    url: 'http://feature-login-form--opshub-web.netlify.app',
    ssl_url: 'https://feature-login-form--opshub-web.netlify.app',
    admin_url: 'https://app.netlify.com/projects/opshub-web',
    deploy_url: `http://${DEPLOY_ID}--opshub-web.netlify.app`,
    deploy_ssl_url: `https://${DEPLOY_ID}--opshub-web.netlify.app`,
    screenshot_url: null,
    review_id: null,
    draft: false,
    required: [],
    required_functions: [],
    required_edge_functions: [],
    required_server: [],
    error_message: null,
    branch: 'feature/login-form',
    commit_ref: HEAD_SHA,
    commit_url: `https://github.com/acme/web/commit/${HEAD_SHA}`,
    skipped: null,
    created_at: CREATED_AT,
    updated_at: '2025-05-24T09:41:38.115Z',
    published_at: null,
    title: 'Add the login form',
    context: 'branch-deploy',
    locked: null,
    review_url: null,
    framework: 'astro',
    skew_protection_token: null,
    function_schedules: [{ name: 'nightly-digest', cron: '0 3 * * *' }],
    functions_region: 'cmh',
    functions_region_overrides: [{ name: 'geo-redirect', region: 'fra' }],
    ...overrides,
  };
}

/** What `POST /sites/{site_id}/builds` answers: a build just queued. */
export function buildObject(overrides: JsonObject = {}): JsonObject {
  return {
    id: BUILD_ID,
    deploy_id: DEPLOY_ID,
    sha: null,
    done: false,
    error: null,
    created_at: CREATED_AT,
    ...overrides,
  };
}

/**
 * A site's `build_settings` naming GitHub repository `owner/name`, as
 * Netlify answers them for a site linked to it.
 */
export function githubRepo(repository: string): JsonObject {
  return {
    provider: 'github',
    repo_path: repository,
    repo_url: `https://github.com/${repository}`,
  };
}

/**
 * A site built from `acme/web` whose production branch is `main`.
 * `buildSettings` override those keys of its `build_settings` (the
 * repository it is linked to: `repo_url`, `repo_path`, `provider`).
 */
export function siteObject(
  overrides: JsonObject = {},
  buildSettings: JsonObject = {},
): JsonObject {
  return {
    id: SITE_ID,
    state: 'current',
    plan: 'nf_team_pro',
    name: 'opshub-web',
    custom_domain: 'web.acme.dev',
    domain_aliases: ['www.web.acme.dev'],
    branch_deploy_custom_domain: null,
    deploy_preview_custom_domain: null,
    password: null,
    notification_email: null,
    url: 'https://web.acme.dev',
    ssl_url: 'https://web.acme.dev',
    admin_url: 'https://app.netlify.com/projects/opshub-web',
    screenshot_url:
      'https://d33wubrfki0l68.cloudfront.net/6650b1e0a1b2c30008d4e500/screenshot.png',
    created_at: '2024-11-02T14:20:51.007Z',
    updated_at: '2025-05-23T17:05:12.930Z',
    user_id: USER_ID,
    session_id: null,
    ssl: true,
    force_ssl: true,
    managed_dns: true,
    deploy_url: 'http://main--opshub-web.netlify.app',
    published_deploy: deployObject({
      id: '6650b1e0a1b2c30008d4e500',
      build_id: '6650b1e0a1b2c30008d4e4ff',
      state: 'ready',
      url: 'http://web.acme.dev',
      ssl_url: 'https://web.acme.dev',
      deploy_url: 'http://6650b1e0a1b2c30008d4e500--opshub-web.netlify.app',
      deploy_ssl_url:
        'https://6650b1e0a1b2c30008d4e500--opshub-web.netlify.app',
      branch: 'main',
      commit_ref: '9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c',
      commit_url:
        'https://github.com/acme/web/commit/9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c',
      context: 'production',
      title: 'Release 2025.05.23',
      published_at: '2025-05-23T17:05:12.930Z',
      created_at: '2025-05-23T17:02:40.118Z',
      updated_at: '2025-05-23T17:05:12.930Z',
    }),
    account_id: ACCOUNT_ID,
    account_name: 'Acme',
    account_slug: 'acme',
    git_provider: 'github',
    deploy_hook: 'https://api.netlify.com/hooks/github',
    capabilities: {
      title: { name: 'Pro' },
      bandwidth: { included: 1099511627776, unit: 'bytes' },
    },
    processing_settings: { html: { pretty_urls: true } },
    build_settings: {
      id: 48213977,
      provider: 'github',
      deploy_key_id: '6541a2b3c4d5e6f7a8b9c0d1',
      repo_path: 'acme/web',
      repo_branch: 'main',
      dir: 'dist',
      functions_dir: 'netlify/functions',
      cmd: 'npm run build',
      allowed_branches: [],
      public_repo: false,
      private_logs: false,
      repo_url: 'https://github.com/acme/web',
      env: { NODE_VERSION: '22' },
      installation_id: 51234567,
      stop_builds: false,
      ...buildSettings,
    },
    id_domain: `${SITE_ID}.netlify.app`,
    default_hooks_data: { access_token: 'hook-token-for-tests' },
    build_image: 'noble',
    prerender: null,
    functions_region: 'cmh',
    prevent_non_git_prod_deploys: false,
    ...overrides,
  };
}

/**
 * What `GET /sites/{site_id}/deploys` answers for `deploys` (the site's):
 * those of the `branch` asked for, newest first, the `page` (from 1) of
 * `per_page` (default 100) asked for.
 */
export function siteDeploysPage(
  deploys: JsonObject[],
  query: URLSearchParams,
): JsonObject[] {
  const branch = query.get('branch');
  const perPage = Number(query.get('per_page') ?? 100);
  const page = Number(query.get('page') ?? 1);
  return deploys
    .filter(deploy => !branch || deploy.branch === branch)
    .sort(
      (a, b) =>
        Date.parse(String(b.created_at)) - Date.parse(String(a.created_at)),
    )
    .slice((page - 1) * perPage, page * perPage);
}

/** An env var value as Netlify answers it. */
export function envValueObject(overrides: JsonObject = {}): JsonObject {
  return {
    id: '2f6b1c3d-8e4a-4b5c-9d0e-1f2a3b4c5d6e',
    value: 'plain-value',
    context: 'all',
    context_parameter: '',
    ...overrides,
  };
}

/**
 * An env var of the site as the `/accounts/{account_id}/env` routes answer
 * it: every property of the `envVar` definition. A secret's values come
 * back without their plaintext outside the dev contexts.
 */
export function envVarObject(overrides: JsonObject = {}): JsonObject {
  return {
    key: 'API_URL',
    scopes: ['builds', 'functions', 'runtime', 'post-processing'],
    values: [envValueObject()],
    is_secret: false,
    updated_at: '2025-05-24T09:41:06.482Z',
    updated_by: {
      id: USER_ID,
      full_name: 'Ada Lovelace',
      email: 'ada@acme.dev',
      avatar_url: 'https://avatars.netlify.com/ada.png',
    },
    ...overrides,
  };
}
