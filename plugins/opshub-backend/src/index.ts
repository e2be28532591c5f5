/**
 * The OpsHub backend plugin: previews, environment variables, health checks
 * and deploy analytics for catalog entities.
 *
 * @packageDocumentation
 */

export { opshubPlugin as default } from './plugin';
