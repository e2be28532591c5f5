import {
  type BackendFeature,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import { readCallTimeoutMs } from './callTimeouts';
import {
  opshubPreviewProvidersExtensionPoint,
  type PreviewProvider,
} from './previewProviders';

/**
 * A backend module that adds one preview provider, built from
 * `opshub.providers.<name>`. Without that block it adds nothing and says so
 * in the log, so a backend can install the module before its token is in
 * place (entities naming the provider then fail as for any unknown one).
 *
 * @public
 */
export function createPreviewProviderModule(options: {
  /** The config block's name under `opshub.providers`, e.g. `vercel`. */
  name: string;
  /**
   * Builds the provider from its config block; `callTimeoutMs`
   * (`opshub.queue.callTimeout`) bounds each API call unless the block sets
   * the provider's own `timeout`.
   */
  fromConfig(
    config: Config,
    defaults: { callTimeoutMs: number },
  ): PreviewProvider;
}): BackendFeature {
  return createBackendModule({
    pluginId: 'opshub',
    moduleId: `${options.name}-provider`,
    register(reg) {
      reg.registerInit({
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.logger,
          providers: opshubPreviewProvidersExtensionPoint,
        },
        async init({ config, logger, providers }) {
          const key = `opshub.providers.${options.name}`;
          const block = config.getOptionalConfig(key);
          if (!block) {
            logger.info(`${key} is not configured; that provider is off`);
            return;
          }
          providers.addProvider(
            options.fromConfig(block, {
              callTimeoutMs: readCallTimeoutMs(config),
            }),
          );
        },
      });
    },
  });
}
