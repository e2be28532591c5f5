export interface Config {
  opshub?: {
    /**
     * The URL GitHub reaches this Backstage backend at: webhooks created by
     * the `opshub:github:webhook` action point at
     * `<publicBaseUrl>/api/opshub/webhooks/github`. Default `backend.baseUrl`.
     */
    publicBaseUrl?: string;
    github?: {
      /**
       * Where GitHub deliveries come from: `repository` (a webhook per
       * repository, which `opshub:github:webhook` creates), `organization`
       * (one organisation webhook) or `app` (a GitHub App's webhook); with
       * the last two the action skips, saying why. Default `repository`.
       */
      webhookSource?: 'repository' | 'organization' | 'app';
    };
  };
}
