import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { opshubApiRef } from './api/OpsHubApi';
import { OpsHubClient } from './api/OpsHubClient';

/** @public */
export const rootRouteRef = createRouteRef({ id: 'opshub' });

/** The `/opshub` administration page. @public */
export const adminRouteRef = createRouteRef({ id: 'opshub-admin' });

/** The Previews tab of an entity page. @public */
export const previewsRouteRef = createRouteRef({ id: 'opshub-previews' });

/** The Deploys tab of an entity page. @public */
export const deploysRouteRef = createRouteRef({ id: 'opshub-deploys' });

/**
 * The OpsHub plugin for apps on Backstage's legacy frontend system. Apps on
 * the new frontend system use the default export of
 * `@opshub/plugin-opshub/alpha` instead.
 *
 * @public
 */
export const opshubPlugin = createPlugin({
  id: 'opshub',
  apis: [
    createApiFactory({
      api: opshubApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: deps => new OpsHubClient(deps),
    }),
  ],
  routes: {
    root: rootRouteRef,
    admin: adminRouteRef,
    previews: previewsRouteRef,
    deploys: deploysRouteRef,
  },
});

/**
 * The OpsHub tab for a Component's entity page (legacy frontend system):
 * `<EntityLayout.Route path="/opshub" title="OpsHub"><EntityOpsHubContent /></EntityLayout.Route>`.
 *
 * @public
 */
export const EntityOpsHubContent = opshubPlugin.provide(
  createRoutableExtension({
    name: 'EntityOpsHubContent',
    mountPoint: rootRouteRef,
    component: () =>
      import('./components/EntityOpsHubContent').then(
        m => m.EntityOpsHubContent,
      ),
  }),
);

/**
 * The OpsHub administration page for org owners (legacy frontend system):
 * `<Route path="/opshub" element={<OpsHubPage />} />`.
 *
 * @public
 */
export const OpsHubPage = opshubPlugin.provide(
  createRoutableExtension({
    name: 'OpsHubPage',
    mountPoint: adminRouteRef,
    component: () => import('./components/OpsHubPage').then(m => m.OpsHubPage),
  }),
);

/**
 * The Previews tab for a Component's entity page (legacy frontend system):
 * `<EntityLayout.Route path="/previews" title="Previews"><EntityPreviewsContent /></EntityLayout.Route>`.
 *
 * @public
 */
export const EntityPreviewsContent = opshubPlugin.provide(
  createRoutableExtension({
    name: 'EntityPreviewsContent',
    mountPoint: previewsRouteRef,
    component: () =>
      import('./components/EntityPreviewsContent').then(
        m => m.EntityPreviewsContent,
      ),
  }),
);

/**
 * The Deploys tab for a Component's entity page (legacy frontend system):
 * deploy analytics over a picked window and environment:
 * `<EntityLayout.Route path="/deploys" title="Deploys"><EntityDeploysContent /></EntityLayout.Route>`.
 *
 * @public
 */
export const EntityDeploysContent = opshubPlugin.provide(
  createRoutableExtension({
    name: 'EntityDeploysContent',
    mountPoint: deploysRouteRef,
    component: () =>
      import('./components/EntityDeploysContent').then(
        m => m.EntityDeploysContent,
      ),
  }),
);

/**
 * A card of live previews for a Component's overview (legacy frontend
 * system): `<Grid item md={6}><EntityPreviewsCard /></Grid>`.
 *
 * @public
 */
export const EntityPreviewsCard = opshubPlugin.provide(
  createComponentExtension({
    name: 'EntityPreviewsCard',
    component: {
      lazy: () =>
        import('./components/EntityPreviewsContent').then(
          m => m.EntityPreviewsCard,
        ),
    },
  }),
);

/**
 * The Health card for a Component's overview (legacy frontend system): its
 * state, its checks' states, uptime and latency, live:
 * `<Grid item md={6}><EntityHealthCard /></Grid>`.
 *
 * @public
 */
export const EntityHealthCard = opshubPlugin.provide(
  createComponentExtension({
    name: 'EntityHealthCard',
    component: {
      lazy: () =>
        import('./components/HealthCard').then(m => m.EntityHealthCard),
    },
  }),
);

/**
 * The DORA card for a Group's overview (legacy frontend system): DORA's
 * keys over the production deploys of the entities it owns, and each
 * entity's ratings: `<Grid item xs={12}><GroupDoraCard /></Grid>`.
 *
 * @public
 */
export const GroupDoraCard = opshubPlugin.provide(
  createComponentExtension({
    name: 'GroupDoraCard',
    component: {
      lazy: () =>
        import('./components/GroupDoraCard').then(m => m.GroupDoraCard),
    },
  }),
);
