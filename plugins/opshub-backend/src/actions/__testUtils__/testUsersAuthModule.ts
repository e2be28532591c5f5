import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The auth provider id: its routes are under `/api/auth/test-users`. */
export const TEST_USERS_PROVIDER = 'test-users';

/** The request header naming the user to sign in (`jane` → `user:default/jane`). */
export const TEST_USER_HEADER = 'x-test-user';

/**
 * A test-only sign-in for the real auth backend: `GET
 * /api/auth/test-users/refresh` with the user's name in `x-test-user`
 * answers a real Backstage user token for `user:default/<name>`, issued by
 * the auth backend like any sign-in's (its signing keys, its user info).
 * Needs `auth.providers.test-users: {}` in config.
 */
export const testUsersAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: TEST_USERS_PROVIDER,
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: TEST_USERS_PROVIDER,
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator({
              defaultProfileTransform: async (name: string) => ({
                profile: { displayName: name },
              }),
              initialize: () => undefined,
              async authenticate({ req }) {
                const name = req.header(TEST_USER_HEADER);
                if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
                  throw new AuthenticationError(
                    `Sign-in needs a user name in ${TEST_USER_HEADER}`,
                  );
                }
                return { result: name };
              },
            }),
            async signInResolver({ result: name }, ctx) {
              const userEntityRef = `user:default/${name}`;
              return ctx.issueToken({
                claims: { sub: userEntityRef, ent: [userEntityRef] },
              });
            },
          }),
        });
      },
    });
  },
});
