import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { JsonObject } from '@backstage/types';
import {
  type DeployErrorCodes,
  opshubDeployErrorCodesExtensionPoint,
  opshubPreviewProvidersExtensionPoint,
} from '@opshub/plugin-opshub-node';
import { recordingOpsHubPlugin } from '@opshub/plugin-opshub-node/testUtils';
import {
  opshubModuleNetlify,
  opshubModuleNetlifyErrorCodes,
  opshubModuleNetlifyProvider,
} from './module';
import { NetlifyPreviewProvider } from './NetlifyPreviewProvider';

describe('opshubModuleNetlifyProvider', () => {
  async function providersAddedWith(data: JsonObject) {
    const addProvider = jest.fn();
    await startTestBackend({
      extensionPoints: [
        [opshubPreviewProvidersExtensionPoint, { addProvider }],
      ],
      features: [
        opshubModuleNetlifyProvider,
        mockServices.rootConfig.factory({ data }),
      ],
    });
    return addProvider.mock.calls.flat();
  }

  it('adds the Netlify provider when it is configured', async () => {
    const providers = await providersAddedWith({
      opshub: { providers: { netlify: { token: 'nfp_test_token' } } },
    });

    expect(providers).toHaveLength(1);
    expect(providers[0]).toBeInstanceOf(NetlifyPreviewProvider);
    expect(providers[0].id).toBe('netlify');
  });

  it('adds nothing, and still starts, without a netlify section', async () => {
    await expect(providersAddedWith({ opshub: {} })).resolves.toEqual([]);
  });

  it('refuses to start with a netlify section but no token', async () => {
    await expect(
      providersAddedWith({
        opshub: { providers: { netlify: { timeout: '10s' } } },
      }),
    ).rejects.toThrow(
      "Missing required config value at 'opshub.providers.netlify.token'",
    );
  });

  it("registers Netlify's error codes with the taxonomy, configured or not", async () => {
    const tables: Array<[string, DeployErrorCodes]> = [];
    await startTestBackend({
      extensionPoints: [
        [
          opshubDeployErrorCodesExtensionPoint,
          {
            addErrorCodes: (provider: string, codes: DeployErrorCodes) =>
              tables.push([provider, codes]),
          },
        ],
      ],
      features: [opshubModuleNetlifyErrorCodes],
    });

    expect(tables).toEqual([
      [
        'netlify',
        { error: 'build', rejected: 'cancelled', not_found: 'cancelled' },
      ],
    ]);
  });

  it('installs the provider and its error codes through the combined feature', async () => {
    const opshub = recordingOpsHubPlugin();
    await startTestBackend({
      features: [
        opshub.plugin,
        opshubModuleNetlify,
        mockServices.rootConfig.factory({
          data: { opshub: { providers: { netlify: { token: 'nfp_t' } } } },
        }),
      ],
    });

    expect(opshub.providers.map(p => p.id)).toEqual(['netlify']);
    expect(opshub.errorCodes).toEqual([
      [
        'netlify',
        { error: 'build', rejected: 'cancelled', not_found: 'cancelled' },
      ],
    ]);
  });
});
