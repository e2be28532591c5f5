import type { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the OpsHub backend plugin. */
  opshub?: {
    /**
     * How often OpsHub reads the catalog's Components with a
     * `github.com/project-slug` annotation into its project table, the lookup
     * that maps a GitHub repository to its entities. Defaults to every 5
     * minutes, first run 5 seconds after startup.
     */
    projectSync?: {
      schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    };
  };
}
