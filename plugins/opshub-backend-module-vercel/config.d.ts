import type { HumanDuration } from '@backstage/types';

export interface Config {
  opshub?: {
    providers?: {
      /**
       * The Vercel preview provider (`opshub.dev/preview-provider: vercel`).
       * Without this block the module adds no provider.
       */
      vercel?: {
        /**
         * A Vercel access token that may create and delete deployments of
         * the projects named by `vercel.com/project-id` annotations.
         * @visibility secret
         */
        token: string;
        /** The team that owns the projects (`team_…`), for team tokens. */
        teamId?: string;
        /** Vercel's REST API. Default `https://api.vercel.com`. */
        apiBaseUrl?: string;
        /** Each API call's own timeout. Default `opshub.queue.callTimeout` (30 seconds). */
        timeout?: HumanDuration | string;
      };
    };
  };
}
