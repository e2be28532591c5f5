/**
 * The OpsHub backend plugin: GitHub webhook intake, a job queue on the
 * plugin's database, roles and preview environments for catalog entities.
 *
 * @packageDocumentation
 */

export { opshubPlugin as default } from './plugin';
