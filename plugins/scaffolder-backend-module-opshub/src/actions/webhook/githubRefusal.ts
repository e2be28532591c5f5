/**
 * An Error failing the step with GitHub's own answer (status and message,
 * plus a 422's field errors), e.g. `GitHub refused to create the webhook on
 * acme/web: 404 Not Found`. Octokit's error is not kept as the cause: its
 * request carries the webhook's secret.
 */
export function githubRefusal(doing: string, error: unknown): Error {
  const { status, response } = (error ?? {}) as {
    status?: number;
    response?: { data?: { message?: string; errors?: unknown[] } };
  };
  if (typeof status !== 'number') {
    return new Error(`GitHub could not be reached to ${doing}`);
  }
  const data = response?.data;
  const details = (data?.errors ?? [])
    .map(e => (e as { message?: string })?.message)
    .filter(Boolean);
  const message = [data?.message ?? 'no message', ...details].join('; ');
  return new Error(`GitHub refused to ${doing}: ${status} ${message}`);
}
