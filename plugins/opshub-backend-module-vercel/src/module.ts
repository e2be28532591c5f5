import { createPreviewProviderModule } from '@opshub/plugin-opshub-node';
import { VercelPreviewProvider } from './VercelPreviewProvider';

/** Adds the Vercel preview provider when `opshub.providers.vercel` is set. */
export const opshubModuleVercelProvider = createPreviewProviderModule({
  name: 'vercel',
  fromConfig: config => VercelPreviewProvider.fromConfig(config),
});
