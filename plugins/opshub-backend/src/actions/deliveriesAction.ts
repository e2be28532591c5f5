import { callerOf } from '../rbac/ProjectAuthorizer';
import { opshubAdminPermission } from '@opshub/plugin-opshub-common';
import { DELIVERY_OUTCOMES } from '../webhooks/DeliveryStore';
import {
  DELIVERY_LIST_LIMIT,
  listDeliveries,
} from '../webhooks/listDeliveries';
import type { OpsHubActionsDeps } from './types';

const OUTCOMES_TEXT = `Outcomes: enqueued (it started work: preview builds, deploy records), unmatched (no OpsHub project has the repository), unverified (only projects whose repository binding is unverified name it; nothing started), ignored (an event OpsHub does not act on).`;

/** `opshub:list-deliveries`. */
export function registerDeliveriesAction(deps: OpsHubActionsDeps) {
  deps.actionsRegistry.register({
    name: 'list-deliveries',
    title: 'List GitHub webhook deliveries',
    description: `Lists the GitHub webhook deliveries OpsHub received, newest first, without their payloads: the event, the repository, and what OpsHub did with it.
Use it to find out why a pull request got no preview or a deployment was not recorded: whether GitHub's delivery arrived, and whether it matched a project.
An administrator's action: needs opshub.admin on the OpsHub installation (an org-level owner); anyone else is NotAllowed.
${OUTCOMES_TEXT}`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z =>
        z.object({
          outcome: z
            .enum(DELIVERY_OUTCOMES)
            .optional()
            .describe(`Only deliveries with this outcome. ${OUTCOMES_TEXT}`),
          event: z
            .string()
            .max(100)
            .optional()
            .describe(
              'Only this GitHub event, e.g. pull_request, deployment_status.',
            ),
          repository: z
            .string()
            .max(255)
            .optional()
            .describe('Only this repository, as owner/name.'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(DELIVERY_LIST_LIMIT.max)
            .default(DELIVERY_LIST_LIMIT.default)
            .describe(
              `How many at most (default ${DELIVERY_LIST_LIMIT.default}).`,
            ),
          before: z
            .string()
            .datetime()
            .optional()
            .describe(
              'Only deliveries received before this time (ISO 8601): pass the last receivedAt of a page for the next one.',
            ),
        }),
      output: z =>
        z.object({
          items: z.array(
            z.object({
              deliveryId: z.string().describe("GitHub's delivery id."),
              event: z.string(),
              action: z
                .string()
                .nullable()
                .describe("The event's action, e.g. opened."),
              repository: z.string().nullable(),
              receivedAt: z.string().describe('ISO 8601.'),
              outcome: z.enum(DELIVERY_OUTCOMES),
              jobCount: z.number().describe('Jobs it started.'),
              redeliveries: z
                .number()
                .describe('Times it was processed again.'),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      await deps.authorizer.authorizeCredentials(
        callerOf(credentials),
        opshubAdminPermission,
      );
      return {
        output: { items: await listDeliveries(deps.deliveries, input) },
      };
    },
  });
}
