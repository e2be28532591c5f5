import { headShaOf } from '../../lib/pullRequestDeliveries';
import { seededRandom } from '../../lib/seededRandom';

export type EventKind = 'opened' | 'synchronize' | 'closed' | 'redelivery';

/** One delivery of the load, to one of the two instances. */
export interface PlannedEvent {
  /** When it is sent, in ms after the load starts. */
  atMs: number;
  /** 0 or 1: which instance gets it. */
  instance: number;
  kind: EventKind;
  /** `owner/name`. */
  repository: string;
  number: number;
  headSha: string;
  /** A redelivery's original: the index of the event it sends again. */
  repeats?: number;
}

/** Where a PR stands once every event was sent. */
export interface PullRequestEnd {
  repository: string;
  number: number;
  open: boolean;
  /** Its last head. */
  headSha: string;
}

/** PR numbers are unique across repositories, so a number names its PR. */
const FIRST_NUMBER = 10_000;

/**
 * The load: `ratePerSecond × seconds` pull_request deliveries spread over
 * the repositories, sent in pairs to one repository, the pair's two events
 * to the two instances (which goes first alternates), 1/rate apart. A pair
 * is a PR opened and pushed to at once, two pushes to one PR, a push then
 * the PR closed, a push and GitHub delivering it again (same delivery id
 * and body) to the other instance, or pushes to two PRs. Every push is a
 * new head. Deliveries are built (and stamped `updated_at`) when sent.
 */
export function planEvents(options: {
  repositories: string[];
  ratePerSecond: number;
  seconds: number;
  runId: string;
}): { events: PlannedEvent[]; pullRequests: Map<number, PullRequestEnd> } {
  const { repositories, ratePerSecond, runId } = options;
  const next = seededRandom(8);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];
  const pullRequests = new Map<number, PullRequestEnd>();
  const openOf = new Map<string, number[]>(repositories.map(r => [r, []]));
  const pushes = new Map<number, number>();
  let nextNumber = FIRST_NUMBER;
  const events: PlannedEvent[] = [];

  const push = (number: number) => {
    const count = (pushes.get(number) ?? 0) + 1;
    pushes.set(number, count);
    const pr = pullRequests.get(number)!;
    pr.headSha = headShaOf(`r8-${runId}-${number}`, count);
    return {
      kind: 'synchronize' as const,
      repository: pr.repository,
      number,
      headSha: pr.headSha,
    };
  };
  const open = (repository: string) => {
    const number = (nextNumber += 1);
    pullRequests.set(number, { repository, number, open: true, headSha: '' });
    openOf.get(repository)!.push(number);
    return { ...push(number), kind: 'opened' as const };
  };
  const close = (number: number) => {
    const pr = pullRequests.get(number)!;
    pr.open = false;
    const stillOpen = openOf.get(pr.repository)!;
    stillOpen.splice(stillOpen.indexOf(number), 1);
    const { repository, headSha } = pr;
    return { kind: 'closed' as const, repository, number, headSha };
  };

  const pairs = Math.floor((ratePerSecond * options.seconds) / 2);
  for (let j = 0; j < pairs; j++) {
    const repository = repositories[j % repositories.length];
    const prs = openOf.get(repository)!;
    const roll = next();
    let pair: Array<Omit<PlannedEvent, 'atMs' | 'instance'>>;
    if (prs.length === 0 || (roll < 0.25 && prs.length < 4)) {
      const first = open(repository);
      pair = [first, push(first.number)];
    } else if (roll < 0.7) {
      const number = pick(prs);
      pair = [push(number), push(number)];
    } else if (roll < 0.85) {
      const number = pick(prs);
      pair = [push(number), close(number)];
    } else if (roll < 0.95 || prs.length < 2) {
      const first = push(pick(prs));
      pair = [first, { ...first, kind: 'redelivery', repeats: 2 * j }];
    } else {
      const [a, b] = [...prs].sort(() => next() - 0.5);
      pair = [push(a), push(b)];
    }
    pair.forEach((event, m) => {
      const i = 2 * j + m;
      events.push({
        ...event,
        atMs: (i * 1000) / ratePerSecond,
        instance: (j + m) % 2,
      });
    });
  }
  return { events, pullRequests };
}
