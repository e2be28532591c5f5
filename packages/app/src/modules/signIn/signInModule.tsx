import { SignInPage } from '@backstage/core-components';
import {
  configApiRef,
  createFrontendModule,
  githubAuthApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

const github = {
  id: 'github-auth-provider',
  title: 'GitHub',
  message: 'Sign in with your GitHub account',
  apiRef: githubAuthApiRef,
};

/**
 * GitHub sign-in everywhere (the backend resolves GitHub users to catalog
 * users, app-config.production.yaml); guest sign-in as well, but only in
 * development (`auth.environment: development`), where it is an OpsHub org
 * owner.
 */
export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [
    SignInPageBlueprint.make({
      params: {
        loader: async () => props => {
          const config = useApi(configApiRef);
          const development =
            config.getOptionalString('auth.environment') === 'development';
          return (
            <SignInPage
              {...props}
              providers={development ? ['guest', github] : [github]}
            />
          );
        },
      },
    }),
  ],
});
