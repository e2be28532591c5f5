import { opshubEnvVarReadPermission } from '@opshub/plugin-opshub-common';
import { ENVIRONMENT_PATTERN } from '../envvars/envVarInput';
import type { StoredEnvVar } from '../envvars/EnvVarStore';
import { authorizeOnEntity, entityRefInput } from './entityScope';
import type { OpsHubActionsDeps } from './types';

/** A variable without its value: nothing of a value, masked or not, leaves. */
function withoutValue(v: StoredEnvVar) {
  return {
    environment: v.environment,
    name: v.name,
    branch: v.branch,
    sensitive: v.sensitive,
    version: v.version,
    updatedBy: v.updatedBy,
    updatedAt: v.updatedAt.toISOString(),
  };
}

/** `opshub:list-env-var-names`. */
export function registerEnvVarNamesAction(deps: OpsHubActionsDeps) {
  deps.actionsRegistry.register({
    name: 'list-env-var-names',
    title: "List an entity's environment variable names",
    description: `Lists the environment variables OpsHub keeps for an entity: their names, environments, preview-branch overrides and current versions, never their values (not even masked ones: values are only shown to people in OpsHub).
Use it to check whether a variable is set in an environment (e.g. is DATABASE_URL set in production?), which environments a service has, or who changed a variable last.
Needs opshub.envvar.read on the entity (role viewer or above). An entity the catalog does not know is NotFound; one the caller holds no role on, NotAllowed.`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          entityRef: entityRefInput(z),
          environment: z
            .string()
            .regex(
              ENVIRONMENT_PATTERN,
              'must be an environment name like production',
            )
            .optional()
            .describe(
              'Only this environment: production, preview, development or a custom name (lower case). All by default.',
            ),
        }),
      output: z =>
        z.object({
          items: z.array(
            z.object({
              environment: z.string(),
              name: z
                .string()
                .describe('The variable name, e.g. DATABASE_URL.'),
              branch: z
                .string()
                .nullable()
                .describe(
                  "A preview branch's override of the preview environment's variable; null for the environment's own.",
                ),
              sensitive: z
                .boolean()
                .describe(
                  'A sensitive value is never revealed, not even to people.',
                ),
              version: z
                .number()
                .describe(
                  'The current version (each write and delete makes a new one).',
                ),
              updatedBy: z.string().describe('Who wrote the current version.'),
              updatedAt: z.string().describe('ISO 8601.'),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      await authorizeOnEntity(
        deps,
        credentials,
        opshubEnvVarReadPermission,
        input.entityRef,
      );
      const vars = await deps.envVars.list(input.entityRef, input.environment);
      return { output: { items: vars.map(withoutValue) } };
    },
  });
}
