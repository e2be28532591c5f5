import {
  PreviewProviderPermanentError,
  PreviewProviderRateLimitedError,
  PreviewProviderTransientError,
} from './previewProviders';
import {
  callProviderApi,
  DEFAULT_RATE_LIMIT_WAIT_MS,
  retryAfterMsOf,
} from './providerApiCalls';
import { type FakeProviderApi, startFakeProviderApi } from './testUtils';

class HttpError extends Error {
  constructor(readonly status: number, readonly headers: Headers) {
    super(`HTTP ${status}`);
  }
}

describe('callProviderApi', () => {
  let api: FakeProviderApi;
  beforeEach(async () => {
    api = await startFakeProviderApi();
    api.route('GET /things/:id', ({ params }) => ({ body: { id: params.id } }));
  });
  afterEach(() => api.close());

  const get = (signal = new AbortController().signal, timeoutMs = 5_000) =>
    callProviderApi(
      {
        provider: 'Fake',
        operation: 'get a thing',
        signal,
        timeoutMs,
        failureOf: error =>
          error instanceof HttpError
            ? {
                status: error.status,
                retryAfterMs: retryAfterMsOf(error.headers),
                detail: 'thing_error',
              }
            : undefined,
      },
      async callSignal => {
        const res = await fetch(`${api.url}/things/7`, { signal: callSignal });
        if (!res.ok) throw new HttpError(res.status, res.headers);
        return res.json();
      },
    );

  it('returns what the call returns', async () => {
    await expect(get()).resolves.toEqual({ id: '7' });
    expect(api.requests.map(r => `${r.method} ${r.path}`)).toEqual([
      'GET /things/7',
    ]);
  });

  it('turns 429 into rate-limited with the reset the provider gave', async () => {
    api.answerOnce('GET /things/:id', {
      status: 429,
      headers: { 'retry-after': '30' },
    });
    const error = await get().catch(e => e);
    expect(error).toBeInstanceOf(PreviewProviderRateLimitedError);
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.message).toBe(
      'Fake could not get a thing: HTTP 429 (thing_error)',
    );
  });

  it('waits a minute after a 429 that gives no reset', async () => {
    api.answerOnce('GET /things/:id', { status: 429 });
    const error = await get().catch(e => e);
    expect(error.retryAfterMs).toBe(DEFAULT_RATE_LIMIT_WAIT_MS);
  });

  it.each([
    [500, PreviewProviderTransientError],
    [503, PreviewProviderTransientError],
    [408, PreviewProviderTransientError],
    [401, PreviewProviderPermanentError],
    [404, PreviewProviderPermanentError],
  ])('turns HTTP %s into %p', async (status, type) => {
    api.answerOnce('GET /things/:id', { status });
    await expect(get()).rejects.toBeInstanceOf(type);
  });

  it('classes 402 as quota and other refusals as configuration', async () => {
    api.answerOnce('GET /things/:id', { status: 402 }, { status: 403 });
    expect((await get().catch(e => e)).errorClass).toBe('quota');
    expect((await get().catch(e => e)).errorClass).toBe('configuration');
  });

  it('gives up on a slow answer as transient', async () => {
    api.answerOnce('GET /things/:id', { delayMs: 2_000 });
    const error = await get(undefined, 100).catch(e => e);
    expect(error).toBeInstanceOf(PreviewProviderTransientError);
    expect(error.message).toBe(
      'Fake could not get a thing: no answer within 100 ms',
    );
  });

  it('rethrows the job’s own abort as it is', async () => {
    api.answerOnce('GET /things/:id', { delayMs: 2_000 });
    const controller = new AbortController();
    const call = get(controller.signal);
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(call).rejects.toThrow('shutting down');
  });

  it('treats an unreachable provider as transient', async () => {
    await api.close();
    await expect(get()).rejects.toBeInstanceOf(PreviewProviderTransientError);
  });
});

describe('retryAfterMsOf', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  const headers = (init: Record<string, string>) => new Headers(init);

  it('reads Retry-After in seconds or as a date', () => {
    expect(retryAfterMsOf(headers({ 'retry-after': '12' }), now)).toBe(12_000);
    expect(
      retryAfterMsOf(
        headers({ 'retry-after': 'Thu, 26 Nov 2026 12:00:05 GMT' }),
        now,
      ),
    ).toBe(5_000);
  });

  it('reads X-RateLimit-Reset as epoch seconds', () => {
    expect(
      retryAfterMsOf(
        headers({ 'x-ratelimit-reset': `${now / 1000 + 42}` }),
        now,
      ),
    ).toBe(42_000);
  });

  it('never answers a negative wait, and undefined when nothing says', () => {
    expect(
      retryAfterMsOf(
        headers({ 'x-ratelimit-reset': `${now / 1000 - 5}` }),
        now,
      ),
    ).toBe(0);
    expect(retryAfterMsOf(headers({}), now)).toBeUndefined();
  });
});
