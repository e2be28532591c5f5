import { createBackendFeatureLoader } from '@backstage/backend-plugin-api';
import {
  createDeployErrorCodesModule,
  createPreviewProviderModule,
} from '@opshub/plugin-opshub-node';
import { VERCEL_ERROR_CODES, VERCEL_PROVIDER_ID } from './errorCodes';
import { VercelPreviewProvider } from './VercelPreviewProvider';

/** Adds the Vercel preview provider when `opshub.providers.vercel` is set. */
export const opshubModuleVercelProvider = createPreviewProviderModule({
  name: 'vercel',
  fromConfig: (config, defaults) =>
    VercelPreviewProvider.fromConfig(config, defaults),
});

/** Adds Vercel's error codes to OpsHub's error taxonomy. */
export const opshubModuleVercelErrorCodes = createDeployErrorCodesModule({
  provider: VERCEL_PROVIDER_ID,
  codes: VERCEL_ERROR_CODES,
});

/** Both: the provider (when configured) and its error codes. */
export const opshubModuleVercel = createBackendFeatureLoader({
  *loader() {
    yield opshubModuleVercelProvider;
    yield opshubModuleVercelErrorCodes;
  },
});
