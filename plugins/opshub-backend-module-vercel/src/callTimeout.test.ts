// A module's test may start the plugin it extends.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import opshubPlugin from '@opshub/plugin-opshub-backend';
import {
  type PreviewTestBackend,
  startPreviewTestBackend,
} from '@opshub/plugin-opshub-node/testUtils';
import { startFakeVercel } from './__fixtures__/fakeVercel';
import vercelModule from './index';

jest.setTimeout(60_000);

describe('Vercel calls bounded by opshub.queue.callTimeout', () => {
  let vercel: Awaited<ReturnType<typeof startFakeVercel>>;
  let backend: PreviewTestBackend;
  beforeEach(async () => {
    vercel = await startFakeVercel();
    backend = await startPreviewTestBackend({
      opshubPlugin,
      features: [vercelModule],
      annotations: {
        'opshub.dev/preview-provider': 'vercel',
        'vercel.com/project-id': 'prj_storefront',
      },
      opshubConfig: {
        // No provider timeout of its own: the queue's call timeout holds.
        providers: {
          vercel: { token: 'vercel-token', apiBaseUrl: vercel.url },
        },
        queue: {
          callTimeout: { milliseconds: 500 },
          maxAttempts: 2,
          pollInterval: { milliseconds: 50 },
          retryBackoff: {
            base: { milliseconds: 10 },
            cap: { milliseconds: 50 },
          },
        },
      },
    });
  });
  afterEach(async () => {
    await backend.stop();
    await vercel.close();
  });

  it('aborts a create Vercel never answers at the call timeout: the job dies as timeout after maxAttempts', async () => {
    const never = { delayMs: 120_000 };
    vercel.answerOnce('POST /v13/deployments', never, never, never);
    const pr = { number: 7, headSha: 'a'.repeat(40), branch: 'search' };

    const failed = await backend.waitForPreview(pr, p => p.state === 'failed');

    expect(failed).toMatchObject({ errorClass: 'timeout' });
    expect(failed.errorMessage).toContain(
      'Vercel could not create a deployment: no answer within 500 ms',
    );
    expect(await backend.jobs('create-preview')).toEqual([
      expect.objectContaining({
        state: 'dead',
        attempts: 2,
        errorClass: 'timeout',
      }),
    ]);
    expect(
      vercel.requests.filter(
        r => r.method === 'POST' && r.path === '/v13/deployments',
      ),
    ).toHaveLength(2);
  });
});
