import type { HumanDuration } from '@backstage/types';

export interface Config {
  opshub?: {
    providers?: {
      /**
       * The Netlify preview provider (`opshub.dev/preview-provider: netlify`).
       * Without this section the module adds no provider.
       */
      netlify?: {
        /**
         * A Netlify personal access token of a member of the team that owns
         * the sites; it starts builds, reads, cancels and deletes deploys.
         * @visibility secret
         */
        token: string;
        /**
         * The API root, path included. Default
         * `https://api.netlify.com/api/v1`.
         */
        apiBaseUrl?: string;
        /**
         * How long one API call may take, the client's own waits on 429
         * included, as a duration (`30s`, `PT1M`, `{ seconds: 30 }`) or in
         * milliseconds. Default `opshub.queue.callTimeout` (30 seconds).
         */
        timeout?: HumanDuration | string | number;
      };
    };
  };
}
