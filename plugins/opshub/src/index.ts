/**
 * The OpsHub frontend plugin. This entry point serves apps on the legacy
 * frontend system; `@opshub/plugin-opshub/alpha` serves the new one.
 *
 * @packageDocumentation
 */

export { opshubPlugin, EntityOpsHubContent } from './plugin';
export { OpsHubClient } from './api/OpsHubClient';
export { opshubApiRef, type OpsHubApi } from './api/OpsHubApi';
