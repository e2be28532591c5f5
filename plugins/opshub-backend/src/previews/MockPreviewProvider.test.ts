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
    await expect(
      instant.destroy({ ...deployment, source }),
    ).resolves.toBeUndefined();
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

  describe('find', () => {
    const options = { delayMs: 0, failureRate: 0, domain: 'preview.test' };
    afterEach(() => jest.restoreAllMocks());

    it('finds the deploy it created for the same entity, PR and head', async () => {
      const provider = new MockPreviewProvider(options);
      expect(await provider.find(source)).toBeUndefined();

      const created = await provider.create(source);
      expect(await provider.find({ ...source })).toEqual(created);
      expect(await provider.find(source)).toEqual(created);
    });

    it("finds nothing for another PR's, another head's or another entity's source", async () => {
      const provider = new MockPreviewProvider(options);
      await provider.create(source);

      expect(await provider.find({ ...source, prNumber: 13 })).toBeUndefined();
      expect(
        await provider.find({ ...source, headSha: 'd'.repeat(40) }),
      ).toBeUndefined();
      expect(
        await provider.find({
          ...source,
          entityRef: 'component:default/other',
        }),
      ).toBeUndefined();
    });

    it('answers the latest of repeated creates, and forgets a destroyed deploy', async () => {
      const provider = new MockPreviewProvider(options);
      jest.spyOn(Date, 'now').mockReturnValue(1_000);
      const first = await provider.create(source);
      jest.spyOn(Date, 'now').mockReturnValue(2_000);
      const second = await provider.create(source);
      const otherHead = { ...source, headSha: 'd'.repeat(40) };
      const other = await provider.create(otherHead);
      expect(first.deploymentId).toBe('mock-cccccccccccc-1000');
      expect(await provider.find(source)).toEqual({
        deploymentId: 'mock-cccccccccccc-2000',
      });

      // An earlier deploy going away leaves the latest one found.
      await provider.destroy({ ...first, source });
      expect(await provider.find(source)).toEqual(second);

      await provider.destroy({ ...second, source });
      expect(await provider.find(source)).toBeUndefined();
      expect(await provider.find(otherHead)).toEqual(other);
      // Destroying again is fine.
      await expect(
        provider.destroy({ ...second, source }),
      ).resolves.toBeUndefined();
    });

    it('remembers only what this instance created', async () => {
      const provider = new MockPreviewProvider(options);
      await provider.create(source);
      expect(
        await new MockPreviewProvider(options).find(source),
      ).toBeUndefined();
    });
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
