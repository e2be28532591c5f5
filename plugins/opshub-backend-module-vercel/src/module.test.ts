import type { BackendFeature } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { recordingOpsHubPlugin } from '@opshub/plugin-opshub-node/testUtils';
import {
  opshubModuleVercel,
  opshubModuleVercelErrorCodes,
  opshubModuleVercelProvider,
} from './index';

describe('the Vercel provider module', () => {
  async function registered(feature: BackendFeature, config: object = {}) {
    const opshub = recordingOpsHubPlugin();
    await startTestBackend({
      features: [
        opshub.plugin,
        feature,
        mockServices.rootConfig.factory({ data: config }),
      ],
    });
    return {
      providers: opshub.providers.map(p => p.id),
      errorCodes: opshub.errorCodes,
    };
  }

  const configured = { opshub: { providers: { vercel: { token: 't' } } } };
  const vercelCodes = [
    [
      'vercel',
      {
        BUILD_FAILED: 'build',
        BLOCKED: 'configuration',
        CANCELED: 'cancelled',
      },
    ],
  ];

  it('adds the vercel provider when configured, and nothing otherwise', async () => {
    await expect(
      registered(opshubModuleVercelProvider, configured),
    ).resolves.toEqual({ providers: ['vercel'], errorCodes: [] });
    await expect(registered(opshubModuleVercelProvider)).resolves.toEqual({
      providers: [],
      errorCodes: [],
    });
  });

  it("registers Vercel's error codes with the taxonomy, configured or not", async () => {
    await expect(registered(opshubModuleVercelErrorCodes)).resolves.toEqual({
      providers: [],
      errorCodes: vercelCodes,
    });
  });

  it('installs both through the combined feature', async () => {
    await expect(registered(opshubModuleVercel, configured)).resolves.toEqual({
      providers: ['vercel'],
      errorCodes: vercelCodes,
    });
    await expect(registered(opshubModuleVercel)).resolves.toEqual({
      providers: [],
      errorCodes: vercelCodes,
    });
  });
});
