/**
 * The OpsHub permission policy for Backstage's permission backend.
 *
 * @packageDocumentation
 */

export { permissionModuleOpsHubPolicy as default } from './module';
export { OpsHubPermissionPolicy } from './OpsHubPermissionPolicy';
