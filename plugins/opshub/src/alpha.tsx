import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { opshubApiRef } from './api/OpsHubApi';
import { OpsHubClient } from './api/OpsHubClient';

const opshubApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: opshubApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OpsHubClient(deps),
    }),
});

/** The "OpsHub" tab on Component entity pages. */
const entityOpsHubContent = EntityContentBlueprint.make({
  params: {
    path: '/opshub',
    title: 'OpsHub',
    filter: { kind: 'component' },
    loader: () =>
      import('./components/EntityOpsHubContent').then(m => (
        <m.EntityOpsHubContent />
      )),
  },
});

/**
 * The OpsHub plugin for apps on Backstage's new frontend system.
 *
 * @alpha
 */
export default createFrontendPlugin({
  pluginId: 'opshub',
  info: { packageJson: () => import('../package.json') },
  extensions: [opshubApi, entityOpsHubContent],
});
