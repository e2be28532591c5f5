import { ConflictError, InputError } from '@backstage/errors';
import { DEPLOY_ERROR_CLASSES } from '@opshub/plugin-opshub-common';
import type {
  DeployErrorClass,
  DeployErrorCodes,
  OpsHubDeployErrorCodesExtensionPoint,
} from '@opshub/plugin-opshub-node';
import { z } from 'zod';

/** The table's provider for failures OpsHub itself decides. */
export const OPSHUB_ERROR_CODE_PROVIDER = 'opshub';

/**
 * The codes OpsHub records for failures it decides itself, whatever the
 * deploy's provider.
 */
export const OPSHUB_DEPLOY_ERROR_CODES = {
  /** The watchdog failed a preview whose jobs died. */
  stuck: 'opshub.stuck',
  /** The build ran longer than `opshub.previews.buildTimeout`. */
  buildTimeout: 'opshub.build-timeout',
  /** The preview was torn down while its build ran. */
  teardownDuringBuild: 'opshub.teardown',
  /** The entity already had as many live previews as it may have. */
  liveLimit: 'opshub.live-limit',
} as const;

/** The table's rows that come with OpsHub, by provider. */
const BUILT_IN_ERROR_CODES: Record<string, DeployErrorCodes> = {
  [OPSHUB_ERROR_CODE_PROVIDER]: {
    [OPSHUB_DEPLOY_ERROR_CODES.stuck]: 'stuck',
    [OPSHUB_DEPLOY_ERROR_CODES.buildTimeout]: 'timeout',
    [OPSHUB_DEPLOY_ERROR_CODES.teardownDuringBuild]: 'cancelled',
    [OPSHUB_DEPLOY_ERROR_CODES.liveLimit]: 'quota',
  },
  // A GitHub deployment's terminal failure states: `failure` is the
  // deployment's own (its build or rollout failed), `error` tells nothing
  // of why.
  github: { failure: 'build', error: 'unknown' },
  // The built-in mock provider (MockPreviewProvider).
  mock: { MOCK_BUILD_FAILED: 'build' },
};

/** One row of the table. */
export interface DeployErrorCodeRow {
  provider: string;
  code: string;
  errorClass: DeployErrorClass;
}

/** A failed deploy as its provider (or OpsHub) reported it. */
export interface ReportedDeployFailure {
  /** The deploy's provider id: `vercel`, `netlify`, `mock`, `github`… */
  provider: string;
  /** The provider's (or OpsHub's) code for the failure, if any. */
  errorCode?: string | null;
  /** The class the provider reported, if any. */
  reported?: DeployErrorClass | null;
}

/** What classifies failed deploys (the GitHub deployments and previews). */
export type DeployErrorClassifier = Pick<
  DeployErrorTaxonomy,
  'classifyDeployError'
>;

const errorCodesSchema = z.object({
  provider: z.string().min(1).max(64),
  codes: z.record(z.string().min(1), z.enum(DEPLOY_ERROR_CLASSES)),
});

/**
 * OpsHub's deploy error taxonomy: a table of provider error codes and the
 * class each one means, built-in rows first, then the rows modules add
 * through `opshubDeployErrorCodesExtensionPoint` (it is that extension
 * point's implementation). Every failed deploy gets one class from
 * {@link DeployErrorTaxonomy.classifyDeployError}.
 */
export class DeployErrorTaxonomy
  implements OpsHubDeployErrorCodesExtensionPoint
{
  private readonly table = new Map<string, Map<string, DeployErrorClass>>();

  private constructor() {}

  /** A taxonomy holding OpsHub's built-in rows (GitHub, OpsHub, mock). */
  static withBuiltInCodes(): DeployErrorTaxonomy {
    const taxonomy = new DeployErrorTaxonomy();
    for (const [provider, codes] of Object.entries(BUILT_IN_ERROR_CODES)) {
      taxonomy.add(provider, codes);
    }
    return taxonomy;
  }

  /**
   * Adds a provider's codes. A code already in the table for that provider
   * is a ConflictError; the provider `opshub`, an empty provider or code, or
   * a class that is not a deploy error class is an InputError. Nothing is
   * added when any code is refused.
   */
  addErrorCodes(provider: string, codes: DeployErrorCodes): void {
    const parsed = errorCodesSchema.safeParse({ provider, codes });
    if (!parsed.success) {
      throw new InputError(
        `Invalid deploy error codes for provider '${provider}': ${parsed.error.issues
          .map(i => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    }
    if (provider === OPSHUB_ERROR_CODE_PROVIDER) {
      throw new InputError(
        `Deploy error codes of provider '${OPSHUB_ERROR_CODE_PROVIDER}' are OpsHub's own; a module adds its provider's codes`,
      );
    }
    this.add(provider, parsed.data.codes);
  }

  /**
   * The one class of a failed deploy, in this order:
   *
   * 1. OpsHub's own code (`opshub.*`: stuck, build timeout, teardown during
   *    a build, live-preview limit) gives its class, whatever the provider;
   * 2. else the table's class for the provider and its code;
   * 3. else the class the provider reported;
   * 4. else `unknown`.
   */
  classifyDeployError(failure: ReportedDeployFailure): DeployErrorClass {
    const code = failure.errorCode ?? undefined;
    return (
      (code !== undefined &&
        (this.classOf(OPSHUB_ERROR_CODE_PROVIDER, code) ??
          this.classOf(failure.provider, code))) ||
      failure.reported ||
      'unknown'
    );
  }

  /** Every row, sorted by provider then code (for the README and tests). */
  rows(): DeployErrorCodeRow[] {
    return [...this.table.entries()]
      .flatMap(([provider, codes]) =>
        [...codes.entries()].map(([code, errorClass]) => ({
          provider,
          code,
          errorClass,
        })),
      )
      .sort(
        (a, b) => compare(a.provider, b.provider) || compare(a.code, b.code),
      );
  }

  private classOf(provider: string, code: string) {
    return this.table.get(provider)?.get(code);
  }

  private add(provider: string, codes: DeployErrorCodes): void {
    const known = this.table.get(provider) ?? new Map();
    const taken = Object.keys(codes).filter(code => known.has(code));
    if (taken.length) {
      throw new ConflictError(
        `Deploy error code${taken.length > 1 ? 's' : ''} ${taken.join(
          ', ',
        )} of provider '${provider}' ${
          taken.length > 1 ? 'are' : 'is'
        } already registered`,
      );
    }
    for (const [code, errorClass] of Object.entries(codes)) {
      known.set(code, errorClass);
    }
    this.table.set(provider, known);
  }
}

function compare(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
