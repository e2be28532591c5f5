import {
  type BackendFeature,
  createBackendModule,
  createExtensionPoint,
} from '@backstage/backend-plugin-api';
import type { DeployErrorClass } from './previewProviders';

/**
 * A provider's own error codes (what it reports as a failed deploy's
 * `errorCode`) and the class each one means, e.g. `{ BLOCKED:
 * 'configuration' }`. Codes are compared exactly (case-sensitive).
 *
 * @public
 */
export type DeployErrorCodes = Readonly<Record<string, DeployErrorClass>>;

/**
 * Lets backend modules teach OpsHub's error taxonomy their provider's error
 * codes: a failed deploy whose provider and code are in the table is counted
 * under the table's class, whatever class the provider reported.
 *
 * @public
 */
export interface OpsHubDeployErrorCodesExtensionPoint {
  /**
   * Adds `codes` for `provider` (a preview provider's `id`, e.g. `vercel`).
   * A code the table already holds for that provider is an error, and so is
   * the provider `opshub` (OpsHub's own codes) or a class outside
   * {@link DeployErrorClass}: the backend does not start.
   */
  addErrorCodes(provider: string, codes: DeployErrorCodes): void;
}

/**
 * Extension point for {@link OpsHubDeployErrorCodesExtensionPoint}.
 *
 * @public
 */
export const opshubDeployErrorCodesExtensionPoint =
  createExtensionPoint<OpsHubDeployErrorCodesExtensionPoint>({
    id: 'opshub.deployErrorCodes',
  });

/**
 * The class `codes` gives `code`, else `otherwise`: what a provider's status
 * mapping reports, so the class of a code lives in its table alone.
 *
 * @public
 */
export function deployErrorClassOf(
  codes: DeployErrorCodes,
  code: string | undefined,
  otherwise: DeployErrorClass,
): DeployErrorClass {
  return code !== undefined && Object.hasOwn(codes, code)
    ? codes[code]
    : otherwise;
}

/**
 * A backend module that adds one provider's error codes to OpsHub's error
 * taxonomy (module id `<provider>-error-codes`). The codes are knowledge,
 * not configuration: they are added whether or not the provider itself is
 * configured, so deploys it made earlier keep their classes.
 *
 * @public
 */
export function createDeployErrorCodesModule(options: {
  /** The provider's `id`, e.g. `vercel`. */
  provider: string;
  codes: DeployErrorCodes;
}): BackendFeature {
  return createBackendModule({
    pluginId: 'opshub',
    moduleId: `${options.provider}-error-codes`,
    register(reg) {
      reg.registerInit({
        deps: { errorCodes: opshubDeployErrorCodesExtensionPoint },
        async init({ errorCodes }) {
          errorCodes.addErrorCodes(options.provider, options.codes);
        },
      });
    },
  });
}
