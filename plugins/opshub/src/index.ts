/**
 * The OpsHub frontend plugin. This entry point serves apps on the legacy
 * frontend system; `@opshub/plugin-opshub/alpha` serves the new one.
 *
 * @packageDocumentation
 */

export {
  opshubPlugin,
  EntityDeploysContent,
  EntityHealthCard,
  EntityOpsHubContent,
  EntityPreviewsCard,
  EntityPreviewsContent,
  GroupDoraCard,
  OpsHubPage,
} from './plugin';
export { RolesCard } from './components/RolesCard';
export { ActivityCard } from './components/ActivityCard';
export { EnvVarsCard } from './components/EnvVarsCard';
export { HealthCard } from './components/HealthCard';
export { OpsHubClient } from './api/OpsHubClient';
export { opshubNotificationNames } from './notificationNames';
export {
  opshubApiRef,
  type OpsHubAnalyticsOverviewQuery,
  type OpsHubApi,
  type OpsHubDeployAnalyticsQuery,
  type OpsHubEnvVarKey,
  type OpsHubGroupAnalyticsQuery,
  type OpsHubScope,
} from './api/OpsHubApi';
