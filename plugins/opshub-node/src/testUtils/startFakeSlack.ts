import {
  type FakeApiAnswer,
  startFakeProviderApi,
} from './startFakeProviderApi';

/**
 * Slack's Web API on loopback: `chat.postMessage` answers `answer`; `seen`
 * holds each request's path, token and form fields.
 *
 * @public
 */
export async function startFakeSlack() {
  const api = await startFakeProviderApi();
  let answer: FakeApiAnswer = { body: { ok: true, channel: 'C1', ts: '1.2' } };
  api.route('POST /api/chat.postMessage', () => answer);
  const formOf = (body: unknown): Record<string, string> =>
    typeof body === 'string'
      ? Object.fromEntries(new URLSearchParams(body))
      : (body as Record<string, string>);
  return {
    get seen() {
      return api.requests.map(r => ({
        path: r.path,
        auth: r.headers.authorization,
        form: formOf(r.body),
      }));
    },
    url: `${api.url}/api/`,
    answer: (next: FakeApiAnswer) => {
      answer = next;
    },
    close: api.close,
  };
}
