import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import {
  createDeployErrorCodesModule,
  createPreviewProviderModule,
} from '@opshub/plugin-opshub-node';
import { NETLIFY_ERROR_CODES, NETLIFY_PROVIDER_ID } from './errorCodes';
import { NetlifyPreviewProvider } from './NetlifyPreviewProvider';

/**
 * Adds the Netlify preview provider when `opshub.providers.netlify` is set.
 *
 * @public
 */
export const opshubModuleNetlifyProvider = createPreviewProviderModule({
  name: 'netlify',
  fromConfig: (config, defaults) =>
    NetlifyPreviewProvider.fromConfig(config, defaults),
});

/**
 * Adds Netlify's error codes to OpsHub's error taxonomy.
 *
 * @public
 */
export const opshubModuleNetlifyErrorCodes = createDeployErrorCodesModule({
  provider: NETLIFY_PROVIDER_ID,
  codes: NETLIFY_ERROR_CODES,
});

/**
 * Both: the provider (when configured) and its error codes.
 *
 * @public
 */
export const opshubModuleNetlify = createBackendFeatureLoader({
  *loader() {
    yield opshubModuleNetlifyProvider;
    yield opshubModuleNetlifyErrorCodes;
  },
});
