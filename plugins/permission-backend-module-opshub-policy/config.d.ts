export interface Config {
  opshub?: {
    rbac?: {
      /**
       * What the OpsHub policy answers for permissions that are not
       * OpsHub's (the catalog's, the scaffolder's, ...). Defaults to `allow`,
       * which keeps what Backstage's allow-all policy did.
       */
      otherPermissions?: 'allow' | 'deny';
    };
  };
}
