import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { authorizeInitiator } from '../../access/authorizeInitiator';
import type { OpsHubActionDeps } from '../../deps';
import { OpsHubRoutesClient } from '../../opshub/OpsHubRoutesClient';
import { configureInputSchema } from './configureInput';
import {
  approveBinding,
  assignRole,
  createHealthCheck,
  writeVariable,
  type WriteOutcome,
} from './projectWrites';
import {
  protectedEnvironments,
  requiredPermissions,
} from './requiredPermissions';

/**
 * `opshub:project:configure`: role assignments, variables seeded from
 * template secrets, health checks and the binding's approval, written
 * through OpsHub's API on behalf of the initiator once their permissions
 * for all of it are checked. Each write is a checkpoint (a retried task
 * repeats none) and is idempotent against OpsHub too. Variable values are
 * never logged nor output.
 */
export function createProjectConfigureAction(deps: OpsHubActionDeps) {
  return createTemplateAction({
    id: 'opshub:project:configure',
    description:
      "Configures an OpsHub project as the task's initiator: role assignments, environment variables from template secrets, health checks and the repository binding's approval",
    supportsDryRun: true,
    schema: {
      input: configureInputSchema,
      output: {
        roles: z => z.number({ description: 'Role assignments in place' }),
        variables: z => z.number({ description: 'Variables written' }),
        healthChecks: z => z.number({ description: 'Health checks in place' }),
        bindingApproved: z => z.boolean(),
      },
    },
    async handler(ctx) {
      const { input } = ctx;
      const { entityRef } = input;
      const roles = input.roles ?? [];
      const variables = input.variables ?? [];
      const checks = input.healthChecks ?? [];
      const summary = `${roles.length} role(s), ${variables.length} variable(s), ${checks.length} health check(s)`;
      const isProtected = protectedEnvironments(deps.config);
      const credentials = await authorizeInitiator(
        deps,
        ctx,
        entityRef,
        requiredPermissions(input, env => isProtected.has(env)),
      );
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would configure ${entityRef}: ${summary}`);
        ctx.output('roles', 0);
        ctx.output('variables', 0);
        ctx.output('healthChecks', 0);
        ctx.output('bindingApproved', false);
        return;
      }
      const opshub = new OpsHubRoutesClient(deps, credentials);

      /** One write, once per task: a retry reads its stored outcome. */
      const once = (key: string, write: () => Promise<WriteOutcome>) =>
        ctx.checkpoint({ key, fn: write });

      for (const role of roles) {
        const outcome = await once(`role:${role.subject}`, () =>
          assignRole(opshub, entityRef, role),
        );
        ctx.logger.info(`${role.subject} holds ${role.role} (${outcome})`);
      }
      for (const variable of variables) {
        const at = `${variable.environment}/${variable.name}`;
        await once(`var:${at}`, () =>
          writeVariable(opshub, entityRef, variable),
        );
        ctx.logger.info(`Variable ${at} written`);
      }
      for (const check of checks) {
        const outcome = await once(`check:${check.name}`, () =>
          createHealthCheck(opshub, entityRef, check),
        );
        ctx.logger.info(`Health check ${check.name} in place (${outcome})`);
      }
      if (input.approveBinding) {
        await once('binding', () => approveBinding(opshub, entityRef));
        ctx.logger.info(`Repository binding of ${entityRef} approved`);
      }

      ctx.output('roles', roles.length);
      ctx.output('variables', variables.length);
      ctx.output('healthChecks', checks.length);
      ctx.output('bindingApproved', input.approveBinding === true);
    },
  });
}
