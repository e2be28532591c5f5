import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  type DeployErrorCodes,
  opshubDeployErrorCodesExtensionPoint,
  opshubPreviewProvidersExtensionPoint,
  type PreviewProvider,
} from '@opshub/plugin-opshub-node';
import vercelModule, { opshubModuleVercelErrorCodes } from './index';

describe('the Vercel provider module', () => {
  async function registered(config: object) {
    const added: PreviewProvider[] = [];
    await startTestBackend({
      features: [
        vercelModule,
        mockServices.rootConfig.factory({ data: config }),
      ],
      extensionPoints: [
        [
          opshubPreviewProvidersExtensionPoint,
          { addProvider: (...p: PreviewProvider[]) => added.push(...p) },
        ],
      ],
    });
    return added.map(p => p.id);
  }

  it('adds the vercel provider when configured, and nothing otherwise', async () => {
    await expect(
      registered({ opshub: { providers: { vercel: { token: 't' } } } }),
    ).resolves.toEqual(['vercel']);
    await expect(registered({})).resolves.toEqual([]);
  });

  it("registers Vercel's error codes with the taxonomy, configured or not", async () => {
    const tables: Array<[string, DeployErrorCodes]> = [];
    await startTestBackend({
      features: [opshubModuleVercelErrorCodes],
      extensionPoints: [
        [
          opshubDeployErrorCodesExtensionPoint,
          {
            addErrorCodes: (provider: string, codes: DeployErrorCodes) =>
              tables.push([provider, codes]),
          },
        ],
      ],
    });
    expect(tables).toEqual([
      [
        'vercel',
        {
          BUILD_FAILED: 'build',
          BLOCKED: 'configuration',
          CANCELED: 'cancelled',
        },
      ],
    ]);
  });
});
