import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import SettingsIcon from '@material-ui/icons/Settings';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { opshubApiRef } from './api/OpsHubApi';
import { OpsHubClient } from './api/OpsHubClient';
import { adminPageRouteRef } from './routes';

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

/** `/opshub`: administration of the installation, for org owners. */
const opshubPage = PageBlueprint.make({
  params: {
    path: '/opshub',
    title: 'OpsHub',
    icon: <SettingsIcon />,
    routeRef: adminPageRouteRef,
    loader: () => import('./components/OpsHubPage').then(m => <m.OpsHubPage />),
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
  routes: { root: adminPageRouteRef },
  extensions: [opshubApi, entityOpsHubContent, opshubPage],
});
