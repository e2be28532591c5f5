import {
  OPSHUB_API,
  opsHubError,
  startOpsHubActionTestKit,
  taskContext,
} from '../../__testUtils__/opsHubActionTestKit';
import {
  createPreviewStatusAction,
  type PreviewPolling,
} from './createPreviewStatusAction';

const PREVIEWS = `GET ${OPSHUB_API}/previews`;
const LISTED = `${PREVIEWS}?entityRef=component%3Adefault%2Fstorefront&limit=200`;

const preview = (
  prNumber: number,
  state: string,
  url: string | null = null,
) => ({ id: String(prNumber), prNumber, state, url, errorMessage: null });

/** A clock that only moves when the action sleeps: no test waits. */
function fakeClock(): PreviewPolling & { slept: number[] } {
  let at = 0;
  const slept: number[] = [];
  return {
    intervalMs: 5000,
    slept,
    now: () => at,
    sleep: async ms => {
      slept.push(ms);
      at += ms;
    },
  };
}

describe('opshub:preview:status', () => {
  let kit: Awaited<ReturnType<typeof startOpsHubActionTestKit>>;
  let clock: ReturnType<typeof fakeClock>;
  beforeEach(async () => {
    kit = await startOpsHubActionTestKit();
    clock = fakeClock();
  });
  afterEach(() => kit.opshub.close());

  const run = (input: Record<string, unknown>, isDryRun = false) => {
    const task = taskContext(
      { entityRef: 'component:default/storefront', pullRequest: 7, ...input },
      { isDryRun },
    );
    const action = createPreviewStatusAction(kit.deps, clock);
    return { task, done: action.handler(task.ctx) };
  };

  it("outputs the PR's preview state and URL once it is ready", async () => {
    kit.opshub.answerOnce(
      `${PREVIEWS}`,
      { body: { items: [preview(8, 'ready', 'https://pr-8.example.com')] } },
      { body: { items: [preview(7, 'building'), preview(8, 'ready')] } },
    );
    kit.opshub.route(`${PREVIEWS}`, () => ({
      body: { items: [preview(7, 'ready', 'https://pr-7.example.com')] },
    }));
    const { task, done } = run({});
    await done;

    expect(kit.calls()).toEqual([LISTED, LISTED, LISTED]);
    expect(kit.opshub.requests[0].headers.authorization).toBe(
      kit.initiatorAuthorization,
    );
    expect(clock.slept).toEqual([5000, 5000]);
    expect(task.outputs()).toEqual({
      state: 'ready',
      url: 'https://pr-7.example.com',
    });
  });

  it('outputs a failed preview without waiting longer', async () => {
    kit.opshub.route(`${PREVIEWS}`, () => ({
      body: {
        items: [{ ...preview(7, 'failed'), errorMessage: 'build failed' }],
      },
    }));
    const { task, done } = run({});
    await done;
    expect(kit.calls()).toEqual([LISTED]);
    expect(task.outputs()).toEqual({ state: 'failed', url: null });
  });

  it('fails on timeout saying the last state', async () => {
    kit.opshub.route(`${PREVIEWS}`, () => ({
      body: { items: [preview(7, 'building')] },
    }));
    await expect(run({ timeoutSeconds: 12 }).done).rejects.toThrow(
      'The preview of PR #7 on component:default/storefront was still building after 12s',
    );
    expect(clock.slept).toEqual([5000, 5000, 2000]);
    expect(kit.calls()).toHaveLength(4);
  });

  it('waits 600 s by default, and says when no preview was created', async () => {
    kit.opshub.route(`${PREVIEWS}`, () => ({ body: { items: [] } }));
    await expect(run({}).done).rejects.toThrow('was not created after 600s');
    expect(clock.slept.reduce((a, b) => a + b)).toBe(600_000);
  });

  it('calls nothing in a dry run', async () => {
    await run({}, true).done;
    expect(kit.opshub.requests).toEqual([]);
  });

  it('refuses, in a dry run too, an initiator who may not read previews', async () => {
    kit.deny('opshub.preview.read');
    await expect(run({}, true).done).rejects.toThrow(
      'may not opshub.preview.read',
    );
  });

  it('refuses an initiator who may not read previews', async () => {
    kit.deny('opshub.preview.read');
    await expect(run({}).done).rejects.toThrow(
      "The task's initiator may not opshub.preview.read on component:default/storefront",
    );
    expect(kit.opshub.requests).toEqual([]);
  });

  it("fails the step with OpsHub's message", async () => {
    kit.opshub.route(`${PREVIEWS}`, () =>
      opsHubError(503, 'ServiceUnavailableError', 'Previews are paused'),
    );
    await expect(run({}).done).rejects.toThrow('with 503: Previews are paused');
  });

  it('declares a timeout of 600 s by default, at most 1,800 s', () => {
    const { schema } = createPreviewStatusAction(kit.deps, clock);
    expect(schema?.input).toMatchObject({
      required: ['entityRef', 'pullRequest'],
      properties: {
        timeoutSeconds: { type: 'integer', default: 600, maximum: 1800 },
      },
    });
  });
});
