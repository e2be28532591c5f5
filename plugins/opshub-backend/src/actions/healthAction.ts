import {
  HEALTH_ERROR_CLASSES,
  HEALTH_STATES,
  opshubHealthReadPermission,
  type OpsHubHealthCheck,
} from '@opshub/plugin-opshub-common';
import type { z } from 'zod/v3';
import { authorizeOnEntity, entityRefInput } from './entityScope';
import type { OpsHubActionsDeps } from './types';

const STATES_TEXT = `States: unknown (not probed yet), ok, degraded (slow, or a certificate about to expire), down (failing), maintenance (in a maintenance window).`;

/** One check as the action answers it (its request headers left out). */
const checkOutput = (zod: typeof z) =>
  zod.object({
    id: zod.string(),
    name: zod.string(),
    url: zod.string().describe('What is probed.'),
    source: zod
      .enum(['api', 'annotation', 'preview'])
      .describe(
        "api: added in OpsHub; annotation: from the entity's opshub.dev/health-url annotation; preview: the check of a live preview (previewId).",
      ),
    previewId: zod.string().nullable(),
    enabled: zod.boolean().describe('A disabled check is not probed.'),
    state: zod.enum(HEALTH_STATES).describe(STATES_TEXT),
    lastProbeAt: zod.string().nullable().describe('ISO 8601.'),
    lastLatencyMs: zod.number().nullable(),
    lastStatusCode: zod.number().nullable(),
    lastErrorClass: zod
      .enum(HEALTH_ERROR_CLASSES)
      .nullable()
      .describe(
        'Why the last probe failed: timeout, dns, connect, tls, status, assertion or blocked.',
      ),
    lastErrorMessage: zod.string().nullable(),
    configError: zod
      .string()
      .nullable()
      .describe('Why the check cannot be probed at all, if it cannot.'),
    uptime: zod
      .object({
        day: zod.number().nullable(),
        week: zod.number().nullable(),
        month: zod.number().nullable(),
      })
      .describe(
        'Share of probes up (0..1) over 24 hours, 7 and 30 days; null without probes.',
      ),
    openIncident: zod
      .object({
        state: zod.enum(['degraded', 'down']),
        errorClass: zod.enum(HEALTH_ERROR_CLASSES).nullable(),
        openedAt: zod.string(),
      })
      .nullable()
      .describe('The incident the check is in now (since it left ok), if any.'),
  });

function checkSummary(c: OpsHubHealthCheck) {
  return {
    id: c.id,
    name: c.name,
    url: c.url,
    source: c.source,
    previewId: c.previewId,
    enabled: c.enabled,
    state: c.state,
    lastProbeAt: c.lastProbeAt,
    lastLatencyMs: c.lastLatencyMs,
    lastStatusCode: c.lastStatusCode,
    lastErrorClass: c.lastErrorClass,
    lastErrorMessage: c.lastErrorMessage,
    configError: c.configError,
    uptime: c.uptime,
    openIncident: c.openIncident && {
      state: c.openIncident.state,
      errorClass: c.openIncident.errorClass,
      openedAt: c.openIncident.openedAt,
    },
  };
}

/** `opshub:get-health`. */
export function registerHealthAction(deps: OpsHubActionsDeps) {
  deps.actionsRegistry.register({
    name: 'get-health',
    title: "Get an entity's health",
    description: `Reads the health checks OpsHub probes for an entity (HTTP checks of its URLs) and its overall state: the worst state of its enabled checks. Each check has its last probe's result, uptime, and the incident it is in, if any; the checks of the entity's live previews come apart and do not count in the state.
Use it to answer whether a service is up, since when it is failing and why.
Needs opshub.health.read on the entity (role viewer or above). An entity the catalog does not know is NotFound; one the caller holds no role on, NotAllowed.
${STATES_TEXT}`,
    attributes: { readOnly: true, destructive: false, idempotent: true },
    schema: {
      input: z => z.object({ entityRef: entityRefInput(z) }),
      output: z =>
        z.object({
          state: z
            .enum(HEALTH_STATES)
            .describe(
              `The worst state of the entity's enabled checks (unknown without any). ${STATES_TEXT}`,
            ),
          checks: z.array(checkOutput(z)),
          previews: z
            .array(checkOutput(z))
            .describe("The checks of the entity's live previews."),
        }),
    },
    action: async ({ input, credentials }) => {
      await authorizeOnEntity(
        deps,
        credentials,
        opshubHealthReadPermission,
        input.entityRef,
      );
      const health = await deps.health.entityHealth(input.entityRef);
      return {
        output: {
          state: health.state,
          checks: health.checks.map(checkSummary),
          previews: health.previews.map(checkSummary),
        },
      };
    },
  });
}
