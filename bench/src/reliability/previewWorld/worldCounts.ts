import type { RecordingGithub } from '../../lib/recordingGithub';
import type { Check } from '../row';
import type { PreviewWorld } from './previewWorld';

/** How often each key occurs. */
export function tally(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/**
 * A check that each subject's count (0 when absent) is `goal`, or within
 * `[goal, goal + slack]`; the result is the counts' min–max and, when some
 * are off, how many.
 */
export function perSubject(
  name: string,
  goal: number,
  subjects: Iterable<string>,
  counts: Map<string, number>,
  options: { upTo?: number; what?: string } = {},
): Check {
  const upTo = options.upTo ?? goal;
  const values = [...subjects].map(subject => counts.get(subject) ?? 0);
  const off = values.filter(v => v < goal || v > upTo).length;
  const range =
    values.length === 0
      ? 'none'
      : `${Math.min(...values)}–${Math.max(...values)}`;
  return {
    name,
    goal: upTo === goal ? String(goal) : `${goal}–${upTo}`,
    result: `${range} (${values.length} ${options.what ?? 'heads'}${
      off ? `, ${off} off` : ''
    })`,
    pass: values.length > 0 && off === 0,
  };
}

/** The fake GitHub's commit statuses: `<sha> <context> <state>`. */
export function statusKeys(github: RecordingGithub): string[] {
  return github.api.requests
    .filter(r => r.method === 'POST' && /\/statuses\/\w+$/.test(r.path))
    .filter(r => !r.path.includes('/deployments/'))
    .map(r => {
      const { context, state } = r.body as { context: string; state: string };
      return `${r.params.sha} ${context} ${state}`;
    });
}

/** The Deployments created: their refs (heads). */
export function deploymentRefs(github: RecordingGithub): string[] {
  return github.api.requests
    .filter(r => r.method === 'POST' && /\/deployments$/.test(r.path))
    .map(r => (r.body as { ref: string }).ref);
}

/** The comments created: their PR numbers. */
export function commentCreatePrs(github: RecordingGithub): string[] {
  return github.api.requests
    .filter(r => r.method === 'POST' && /\/issues\/\d+\/comments$/.test(r.path))
    .map(r => r.params.number);
}

/**
 * Slack messages per transition: `storefront #<pr> is ready`, `… failed
 * (<class>)`, `… was torn down` (the headline, without the URL).
 */
export function slackTransitions(slack: PreviewWorld['slack']): string[] {
  return slack.seen
    .map(message => message.form.text ?? '')
    .map(text =>
      /^Preview of (.+? #\d+ (?:is \w+|failed|was [\w ]+))/.exec(text),
    )
    .map(match => match?.[1] ?? 'unrecognised');
}

/** `jobs` rows by state, those created before `before` if given. */
export async function jobStates(
  world: PreviewWorld,
  before?: Date,
): Promise<Map<string, number>> {
  const query = world.db('jobs').select('state').count({ n: '*' });
  if (before) query.where('created_at', '<', before);
  const rows = (await query.groupBy('state')) as Array<{
    state: string;
    n: string | number;
  }>;
  return new Map(rows.map(row => [row.state, Number(row.n)]));
}

/** Jobs still to run (queued or running) whose time has come. */
export async function jobsPending(world: PreviewWorld): Promise<number> {
  const [{ n }] = await world
    .db('jobs')
    .whereIn('state', ['queued', 'running'])
    .where('run_at', '<=', new Date())
    .count({ n: '*' });
  return Number(n);
}
