// GitHub clients are shared with OpsHub's scaffolder actions.
export {
  type GithubClientFor,
  githubClientsFromConfig,
  hasGithubCredentials,
} from '@opshub/plugin-opshub-node';
