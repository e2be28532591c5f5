import { OPSHUB_ROLES } from '@opshub/plugin-opshub-common';
import type { z as zImpl } from 'zod/v3';
import { entityRefInput } from '../sharedInput';

type Z = typeof zImpl;

/** The input of `opshub:project:configure`, as the scaffolder's zod takes it. */
export const configureInputSchema = {
  entityRef: entityRefInput,
  roles: (z: Z) =>
    z
      .array(
        z.object({
          subject: z
            .string({ description: 'user:<ns>/<name> or group:<ns>/<name>' })
            .regex(/^(user|group):/i, 'must be a user: or group: ref'),
          role: z.enum(OPSHUB_ROLES),
        }),
        { description: 'Role assignments on the project' },
      )
      .optional(),
  variables: (z: Z) =>
    z
      .array(
        z.object({
          environment: z.string({ description: 'e.g. production, preview' }),
          name: z.string({ description: 'e.g. DATABASE_URL' }),
          value: z.string({
            description: 'From the template secrets: ${{ secrets.x }}',
          }),
          sensitive: z
            .boolean({
              description: 'Never revealed once set; default true',
            })
            .optional(),
        }),
        { description: 'Environment variables to seed; never logged' },
      )
      .optional(),
  healthChecks: (z: Z) =>
    z
      .array(
        z.object({
          name: z.string(),
          url: z.string({ description: 'The http(s) URL to probe' }),
          intervalSeconds: z.number().int().positive().optional(),
          method: z.enum(['GET', 'HEAD']).optional(),
          expectedStatus: z
            .string({ description: 'e.g. 200-299 (OpsHub default)' })
            .optional(),
        }),
        { description: 'HTTP health checks to create' },
      )
      .optional(),
  approveBinding: (z: Z) =>
    z
      .boolean({
        description:
          "Approve the project's repository binding (the initiator must be an org owner)",
      })
      .optional(),
};

/** The parsed input. */
export type ConfigureInput = {
  [K in keyof typeof configureInputSchema]: zImpl.infer<
    ReturnType<(typeof configureInputSchema)[K]>
  >;
};
