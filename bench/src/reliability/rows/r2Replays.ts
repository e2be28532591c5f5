/*
 * R2 replays: a run of PRs (200; 50 with --quick) on the demo entity
 * (acme/storefront, mock provider building 0.5 s) through packages/backend
 * on PostgreSQL with the recording fake GitHub and a fake Slack
 * (previewWorld/). Each PR is opened at head A and synchronized to head B
 * (its `updated_at` a second later); every 4th PR is then closed (a
 * second after that). Every delivery is sent three times with the same
 * delivery id and body (GitHub's redelivery), all of them in one seeded
 * shuffle, at DELIVERIES_PER_SECOND. Once the work is done (each open PR's
 * head B has its success status, no job left, GitHub quiet), the fake
 * GitHub's requests and OpsHub's database are counted.
 *
 * Head B of each open PR is its preview's: exactly one build, one success
 * status (at most one pending), one Deployment. Head A, and head B of a
 * closed PR, may have been built or not (its event may come after a newer
 * one, and then changes nothing): at most one of each. Each open PR: one
 * preview, one comment created (edits are fine); a closed PR at most one
 * comment. A closed PR ends with no live preview (an open one, or a deploy
 * not destroyed), and no build of it starts once its close was handled
 * (a `closed` handled before an older `opened` must keep it from building).
 */
import {
  headShaOf,
  postDelivery,
  pullRequestDelivery,
} from '../../lib/pullRequestDeliveries';
import { untilQuiet } from '../../lib/quiet';
import { countGithubRequests } from '../../lib/recordingGithub';
import { waitUntil } from '../../lib/postgres';
import {
  FIRST_PR,
  type PreviewWorld,
  startPreviewWorld,
  WORLD_REPOSITORY,
} from '../previewWorld/previewWorld';
import { sendAtRate, shuffled } from '../previewWorld/sendAtRate';
import {
  commentCreatePrs,
  deploymentRefs,
  jobsPending,
  perSubject,
  statusKeys,
  tally,
} from '../previewWorld/worldCounts';
import { type Check, exactly, type Row } from '../row';

const DELIVERIES_PER_SECOND = 150;
const COPIES = 3;
const SEED = 21;
const QUIET_MS = 3_000;
const CONTEXT = 'opshub/preview';
/** Times a delivery refused with 503 is sent again. */
const MAX_REFUSALS = 30;
/** Every CLOSE_EVERY-th PR is closed. */
const CLOSE_EVERY = 4;

interface Pr {
  number: number;
  /** Opened at. */
  a: string;
  /** Synchronized to: the preview's head. */
  b: string;
  /** Closed after the synchronize. */
  closed: boolean;
}

function plannedPrs(count: number): Pr[] {
  const run = `r2-${Date.now()}`;
  return Array.from({ length: count }, (_, i) => {
    const number = FIRST_PR + i;
    return {
      number,
      a: headShaOf(`${run}-a`, number),
      b: headShaOf(`${run}-b`, number),
      closed: i % CLOSE_EVERY === CLOSE_EVERY - 1,
    };
  });
}

/**
 * Each PR's deliveries (two, three when closed), built once: copies are
 * byte for byte alike.
 */
function deliveriesOf(prs: Pr[]) {
  const openedAt = Date.now() - 60_000;
  return prs.flatMap(pr =>
    (
      [
        ['opened', pr.a, 0],
        ['synchronize', pr.b, 1_000],
        ...(pr.closed ? [['closed', pr.b, 2_000] as const] : []),
      ] as const
    ).map(([action, headSha, later]) =>
      pullRequestDelivery({
        action,
        number: pr.number,
        headSha,
        repository: WORLD_REPOSITORY,
        deliveryId: `bench-r2-${action}-${pr.number}-${headSha}`,
        updatedAt: new Date(openedAt + later).toISOString(),
      }),
    ),
  );
}

/**
 * Posts a delivery, and again while the backend sheds load (503, "Too many
 * deliveries in progress") after its Retry-After, as a sender honouring it
 * would: the row is about copies, not about deliveries refused under load.
 */
async function postUntilTaken(
  url: string,
  delivery: ReturnType<typeof pullRequestDelivery>,
): Promise<{ status: number; refused: number }> {
  for (let refused = 0; ; refused++) {
    const { status } = await postDelivery(url, delivery);
    if (status !== 503 || refused === MAX_REFUSALS) return { status, refused };
    await new Promise(resolve => setTimeout(resolve, 1_000));
  }
}

/**
 * Closed PRs with an open preview or a deploy not destroyed, and builds
 * (deploys) of a closed PR recorded after its first close was handled.
 */
async function closedPrChecks(world: PreviewWorld, closed: Pr[]) {
  const numbers = closed.map(pr => pr.number);
  const open = (await world
    .db('previews')
    .whereIn('pr_number', numbers)
    .whereNotIn('state', ['destroyed', 'expired'])
    .select('pr_number')) as Array<{ pr_number: number }>;
  const deploys = (await world
    .db('preview_deploys')
    .join('previews', 'previews.id', 'preview_deploys.preview_id')
    .whereIn('previews.pr_number', numbers)
    .select(
      'previews.pr_number',
      'preview_deploys.state',
      'preview_deploys.created_at',
    )) as Array<{ pr_number: number; state: string; created_at: Date }>;
  const teardowns = (await world
    .db('jobs')
    .where({ type: 'teardown-preview', state: 'succeeded' })
    .select('payload', 'finished_at')) as Array<{
    payload: string;
    finished_at: Date;
  }>;
  const closedAt = new Map<number, number>();
  for (const job of teardowns) {
    const n = JSON.parse(job.payload).pullRequest.number as number;
    const at = new Date(job.finished_at).getTime();
    closedAt.set(n, Math.min(at, closedAt.get(n) ?? Infinity));
  }
  const live = new Set([
    ...open.map(row => row.pr_number),
    ...deploys.filter(d => d.state !== 'destroyed').map(d => d.pr_number),
  ]);
  const afterClose = deploys.filter(
    d =>
      new Date(d.created_at).getTime() >
      (closedAt.get(d.pr_number) ?? Infinity),
  ).length;
  const unhandled = numbers.filter(n => !closedAt.has(n)).length;
  return {
    ...exactly('closed PRs with a live preview', 0, live.size),
    result: `${live.size} of ${numbers.length}; builds started after the close was handled: ${afterClose}; closes never handled: ${unhandled}`,
    pass: live.size === 0 && afterClose === 0 && unhandled === 0,
  };
}

async function countChecks(world: PreviewWorld, all: Pr[]): Promise<Check[]> {
  const prs = all.filter(pr => !pr.closed);
  const closed = all.filter(pr => pr.closed);
  const finals = prs.map(pr => pr.b);
  const earlier = [...all.map(pr => pr.a), ...closed.map(pr => pr.b)];
  const heads = new Set([...finals, ...earlier]);
  const builds = tally(
    (
      (await world
        .db('preview_deploys')
        .whereIn('head_sha', [...heads])
        .select('head_sha')) as Array<{ head_sha: string }>
    ).map(row => row.head_sha),
  );
  const previews = tally(
    (
      (await world
        .db('previews')
        .whereIn(
          'pr_number',
          prs.map(pr => pr.number),
        )
        .select('pr_number')) as Array<{ pr_number: number }>
    ).map(row => String(row.pr_number)),
  );
  const statuses = tally(statusKeys(world.github));
  const success = new Map(
    finals.map(h => [h, statuses.get(`${h} ${CONTEXT} success`) ?? 0]),
  );
  // Any (head, context, state) written twice: pending, success, failure.
  const statusRepeats = [...statuses].filter(
    ([key, n]) => heads.has(key.split(' ')[0]) && n > 1,
  ).length;
  const successes = perSubject(
    'statuses per head and state',
    1,
    finals,
    success,
  );
  const deployments = tally(deploymentRefs(world.github));
  const prNumbers = prs.map(pr => String(pr.number));
  const duplicates = countGithubRequests(
    world.github,
    new Set(all.map(pr => pr.number)),
  );
  for (const example of duplicates.examples) {
    console.log(`R2 duplicate: ${example.slice(0, 300)}`);
  }
  const overOne = (subjects: string[], counts: Map<string, number>) =>
    subjects.filter(s => (counts.get(s) ?? 0) > 1).length;
  const atMostOne = (counts: Map<string, number>) => overOne(earlier, counts);
  const withEarlier = (
    check: Check,
    over: number,
    what = 'head A or a closed head',
  ): Check => ({
    ...check,
    result: `${check.result}; ${what} over 1: ${over}`,
    pass: check.pass && over === 0,
  });
  const comments = tally(commentCreatePrs(world.github));
  return [
    withEarlier(
      perSubject('previews per head', 1, finals, builds),
      atMostOne(builds),
    ),
    perSubject('previews per PR', 1, prNumbers, previews, { what: 'PRs' }),
    {
      ...successes,
      result: `success ${successes.result}; a head's state written twice: ${statusRepeats}`,
      pass: successes.pass && statusRepeats === 0,
    },
    withEarlier(
      perSubject('deployments per head', 1, finals, deployments),
      atMostOne(deployments),
    ),
    withEarlier(
      perSubject('comments per PR', 1, prNumbers, comments, { what: 'PRs' }),
      overOne(
        closed.map(pr => String(pr.number)),
        comments,
      ),
      'closed PR',
    ),
    exactly('duplicate writes', 0, duplicates.duplicates),
    await closedPrChecks(world, closed),
  ];
}

export const row: Row = {
  id: 'R2',
  title: 'replays',
  budgetMs: () => 240_000,
  async run({ quick, log, deadline }) {
    const prs = plannedPrs(quick ? 50 : 200);
    const world = await startPreviewWorld();
    try {
      await world.start({});
      log('backend ready; sending');
      prs.forEach(pr => {
        world.github.prOfSha.set(pr.a, pr.number);
        world.github.prOfSha.set(pr.b, pr.number);
      });
      const sends = shuffled(
        deliveriesOf(prs).flatMap(d => Array(COPIES).fill(d)),
        SEED,
      );
      const answers = await sendAtRate(sends, DELIVERIES_PER_SECOND, d =>
        postUntilTaken(world.url, d),
      );
      const refused = answers.reduce((sum, a) => sum + a.refused, 0);
      const byStatus = tally(answers.map(a => String(a.status)));
      log(
        `${sends.length} deliveries sent: ${[...byStatus]
          .map(([status, n]) => `${n} x ${status}`)
          .join(', ')} (${refused} refusals with 503 sent again)`,
      );
      const remaining = () => deadline - Date.now() - 20_000;
      await waitUntil(
        async () =>
          prs.every(pr => pr.closed || world.github.succeededAt.has(pr.b)),
        remaining(),
        200,
      );
      await waitUntil(
        async () => (await jobsPending(world)) === 0,
        remaining(),
        500,
      );
      await untilQuiet(
        () => world.github.api.requests.length,
        QUIET_MS,
        remaining(),
      );
      return await countChecks(world, prs);
    } finally {
      await world.stop();
    }
  },
};
