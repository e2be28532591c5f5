import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import SettingsIcon from '@material-ui/icons/Settings';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
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

/** The "Previews" tab on Component entity pages: live pull request previews. */
const entityPreviewsContent = EntityContentBlueprint.make({
  name: 'previews',
  params: {
    path: '/previews',
    title: 'Previews',
    filter: { kind: 'component' },
    loader: () =>
      import('./components/EntityPreviewsContent').then(m => (
        <m.EntityPreviewsContent />
      )),
  },
});

/**
 * The "Deploys" tab on Component entity pages: deploy analytics (deploys
 * per day by outcome, success rate, time percentiles, failures by class,
 * recent deploys).
 */
const entityDeploysContent = EntityContentBlueprint.make({
  name: 'deploys',
  params: {
    path: '/deploys',
    title: 'Deploys',
    filter: { kind: 'component' },
    loader: () =>
      import('./components/EntityDeploysContent').then(m => (
        <m.EntityDeploysContent />
      )),
  },
});

/** A small card of live previews for a Component's overview. */
const entityPreviewsCard = EntityCardBlueprint.make({
  name: 'previews',
  params: {
    filter: { kind: 'component' },
    loader: () =>
      import('./components/EntityPreviewsContent').then(m => (
        <m.EntityPreviewsCard />
      )),
  },
});

/** The Health card for a Component's overview: its checks' states, live. */
const entityHealthCard = EntityCardBlueprint.make({
  name: 'health',
  params: {
    filter: { kind: 'component' },
    loader: () =>
      import('./components/HealthCard').then(m => <m.EntityHealthCard />),
  },
});

/**
 * The DORA card for a Group's overview: DORA's keys over the production
 * deploys of the entities it owns, and each entity's ratings.
 */
const groupDoraCard = EntityCardBlueprint.make({
  name: 'group-dora',
  params: {
    filter: { kind: 'group' },
    loader: () =>
      import('./components/GroupDoraCard').then(m => <m.GroupDoraCard />),
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
  extensions: [
    opshubApi,
    entityOpsHubContent,
    entityPreviewsContent,
    entityDeploysContent,
    entityPreviewsCard,
    entityHealthCard,
    groupDoraCard,
    opshubPage,
  ],
});
