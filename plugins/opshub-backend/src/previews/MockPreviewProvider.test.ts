import { ConfigReader } from '@backstage/config';
import { MockPreviewProvider } from './MockPreviewProvider';

const source = {
  entityRef: 'component:default/Web_App',
  annotations: {},
  repository: 'acme/web',
  prNumber: 12,
  branch: 'feature',
  headSha: 'c'.repeat(40),
  fromFork: false,
};

describe('MockPreviewProvider', () => {
  it('builds for its delay, then serves a URL derived from entity and PR', async () => {
    const provider = new MockPreviewProvider({
      delayMs: 60_000,
      failureRate: 0,
      domain: 'preview.test',
    });
    const deployment = await provider.create(source);
    expect(await provider.status({ ...deployment, source })).toEqual({
      state: 'building',
    });
    const instant = new MockPreviewProvider({
      delayMs: 0,
      failureRate: 0,
      domain: 'preview.test',
    });
    // Any instance answers for any deploy: the id carries its start.
    expect(await instant.status({ ...deployment, source })).toEqual({
      state: 'ready',
      url: 'https://web-app-pr-12.preview.test',
    });
    await expect(instant.destroy()).resolves.toBeUndefined();
  });

  it('fails the same share of heads every time', async () => {
    const always = new MockPreviewProvider({
      delayMs: 0,
      failureRate: 1,
      domain: 'x',
    });
    const deployment = await always.create(source);
    expect(await always.status({ ...deployment, source })).toMatchObject({
      state: 'failed',
      errorClass: 'build',
      errorCode: 'MOCK_BUILD_FAILED',
    });

    const half = new MockPreviewProvider({
      delayMs: 0,
      failureRate: 0.5,
      domain: 'x',
    });
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const head = { ...source, headSha: i.toString(16).padStart(40, '0') };
        const d = await half.create(head);
        const first = (await half.status({ ...d, source: head })).state;
        const again = (await half.status({ ...d, source: head })).state;
        expect(again).toBe(first);
        return first;
      }),
    );
    const failed = outcomes.filter(s => s === 'failed').length;
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
  });

  it('reads its config', async () => {
    const provider = MockPreviewProvider.fromConfig(
      new ConfigReader({ delay: { seconds: 0 }, domain: 'demo.test' }),
    );
    const deployment = await provider.create(source);
    expect(await provider.status({ ...deployment, source })).toEqual({
      state: 'ready',
      url: 'https://web-app-pr-12.demo.test',
    });
  });
});
