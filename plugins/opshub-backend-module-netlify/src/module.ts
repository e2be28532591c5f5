import { createPreviewProviderModule } from '@opshub/plugin-opshub-node';
import { NetlifyPreviewProvider } from './NetlifyPreviewProvider';

/**
 * Adds the Netlify preview provider when `opshub.providers.netlify` is set.
 *
 * @public
 */
export const opshubModuleNetlifyProvider = createPreviewProviderModule({
  name: 'netlify',
  fromConfig: config => NetlifyPreviewProvider.fromConfig(config),
});
