import { createBackend } from '@backstage/backend-defaults';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: guest sign-in for local development, GitHub in production
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
backend.add(import('@backstage/plugin-auth-backend-module-github-provider'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
);
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
// OpsHub's roles for opshub.* permissions; the rest are allowed
// (opshub.rbac.otherPermissions)
backend.add(import('@opshub/plugin-permission-backend-module-opshub-policy'));

// scaffolder
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@backstage/plugin-scaffolder-backend-module-github'));
backend.add(
  import('@backstage/plugin-scaffolder-backend-module-notifications'),
);
// OpsHub's actions (opshub:github:webhook, opshub:catalog:annotate,
// opshub:project:configure, opshub:preview:status)
backend.add(import('@opshub/plugin-scaffolder-backend-module-opshub'));

// OpsHub, with its Vercel and Netlify preview providers (each on when
// opshub.providers.<name> is configured; the mock provider is built in)
backend.add(import('@opshub/plugin-opshub-backend'));
backend.add(import('@opshub/plugin-opshub-backend-module-vercel'));
backend.add(import('@opshub/plugin-opshub-backend-module-netlify'));

// AI assistants: the actions of the plugins in backend.actions.pluginSources
// (OpsHub's) as MCP tools at /api/mcp-actions/v1, run with the caller's
// credentials
backend.add(import('@backstage/plugin-mcp-actions-backend'));

// notifications, signals and user settings
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));
backend.add(import('@backstage/plugin-user-settings-backend'));

backend.start();
