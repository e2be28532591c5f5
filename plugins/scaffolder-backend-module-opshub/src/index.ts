/**
 * OpsHub's scaffolder actions: connect a repository to OpsHub from a
 * template.
 *
 * @packageDocumentation
 */

export {
  scaffolderModuleOpsHub as default,
  scaffolderModuleOpsHub,
} from './module';
