import { createBackendPlugin } from '@backstage/backend-plugin-api';
import {
  type DeployErrorCodes,
  opshubDeployErrorCodesExtensionPoint,
} from '../deployErrorCodes';
import {
  opshubPreviewProvidersExtensionPoint,
  type PreviewProvider,
} from '../previewProviders';

/**
 * A stand-in for the OpsHub backend plugin that records what modules add
 * through its preview-provider and error-code extension points. Unlike
 * `startTestBackend`'s `extensionPoints`, it also serves modules that a
 * feature loader installs.
 *
 * @public
 */
export function recordingOpsHubPlugin() {
  const providers: PreviewProvider[] = [];
  const errorCodes: Array<[provider: string, codes: DeployErrorCodes]> = [];
  const plugin = createBackendPlugin({
    pluginId: 'opshub',
    register(env) {
      env.registerExtensionPoint(opshubPreviewProvidersExtensionPoint, {
        addProvider: (...added) => providers.push(...added),
      });
      env.registerExtensionPoint(opshubDeployErrorCodesExtensionPoint, {
        addErrorCodes: (provider, codes) => errorCodes.push([provider, codes]),
      });
      env.registerInit({ deps: {}, async init() {} });
    },
  });
  return { plugin, providers, errorCodes };
}
