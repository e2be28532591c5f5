import { changedTables, type Fingerprint } from './fingerprint';
import { type Answer, type HostileRequest, send } from './send';

/** A case that broke a promise, with what was sent and answered. */
export interface Offender {
  target: string;
  check: 'no 5xx' | 'no stack trace' | 'nothing stored when rejected';
  status: number;
  request: string;
  answer: string;
  /** The case before, whose late writes would show up here. */
  previous?: string;
}

/** Frames, source paths and serialized stacks: what an answer must never show. */
const STACK_TRACE = [
  /"stack"\s*:/,
  /\n\s*at [^\n]+[(\s][^\s()]+:\d+:\d+\)?/,
  /node_modules\//,
  /\/work\//,
  /\.(ts|js|cjs|mjs):\d+:\d+/,
  /\bat (async )?[\w$.<>]+ \(/,
];

export const showsStackTrace = (text: string) =>
  STACK_TRACE.some(pattern => pattern.test(text));

const excerpt = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;

export function describeRequest(request: HostileRequest): string {
  const body = request.body
    ? ` body ${JSON.stringify(excerpt(request.body.toString('utf8'), 300))}`
    : '';
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'authorization')
    .map(([name, value]) => `${name}: ${excerpt(value, 80)}`)
    .join('; ');
  return `${request.method} ${excerpt(request.path, 300)} [${headers}]${body}`;
}

/**
 * Sends cases one at a time and judges each answer: no 5xx (but the
 * documented 503 of a route that sheds load), no stack trace, and for a
 * rejected (4xx) case no table of OpsHub's changed.
 */
export class Judge {
  readonly cases = new Map<string, number>();
  /** Per target, how many cases got each status. */
  readonly statuses = new Map<string, Map<number, number>>();
  readonly offenders: Offender[] = [];
  /** Changes during a rejected case that its replay did not repeat. */
  readonly lateWrites: string[] = [];
  /** Milliseconds spent waiting for answers and for fingerprints. */
  readonly spentMs = { answers: 0, fingerprints: 0 };
  private current: Fingerprint | undefined;
  private previous: string | undefined;

  constructor(
    private readonly baseUrl: string,
    private readonly fingerprint: () => Promise<Fingerprint>,
    /** Targets whose 503 is documented load shedding. */
    private readonly sheds503: ReadonlySet<string>,
  ) {}

  async judge(target: string, request: HostileRequest): Promise<void> {
    this.cases.set(target, (this.cases.get(target) ?? 0) + 1);
    const before = this.current ?? (await this.fingerprint());
    let answer: Answer;
    const sent = Date.now();
    try {
      answer = await send(this.baseUrl, request);
    } catch (error) {
      answer = { status: 0, text: `no answer: ${(error as Error).message}` };
    }
    const answered = Date.now();
    // A change a request makes after its answer (work it accepted, e.g. a
    // rotation) must land before the next case's fingerprint is taken.
    const accepted =
      answer.status < 400 && answer.status > 0 && request.method !== 'GET';
    const after = accepted ? await this.settled() : await this.fingerprint();
    this.spentMs.answers += answered - sent;
    this.spentMs.fingerprints += Date.now() - answered;
    this.current = after;
    const statuses = this.statuses.get(target) ?? new Map<number, number>();
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    this.statuses.set(target, statuses);
    const previous = this.previous;
    this.previous = `${describeRequest(request)} -> ${answer.status}`;
    const offend = (check: Offender['check'], detail = answer.text) =>
      this.offenders.push({
        target,
        check,
        status: answer.status,
        request: describeRequest(request),
        answer: excerpt(detail, 400),
        previous,
      });
    const shed = answer.status === 503 && this.sheds503.has(target);
    if ((answer.status >= 500 || answer.status === 0) && !shed)
      offend('no 5xx');
    if (showsStackTrace(answer.text)) offend('no stack trace');
    if (answer.status >= 400 && answer.status < 500) {
      const changed = changedTables(before, after);
      if (changed.length > 0 && (await this.storesOnReplay(request))) {
        offend(
          'nothing stored when rejected',
          `tables changed: ${changed.join(', ')}; answer ${answer.text}`,
        );
      } else if (changed.length > 0) {
        this.lateWrites.push(
          `${changed.join(', ')} changed during ${describeRequest(
            request,
          )} -> ${answer.status}, ` +
            `not on its replay: a late write of ${previous}`,
        );
      }
    }
  }

  /**
   * Whether a rejected request changes a table again when sent once more
   * with the database quiet: tells a request that stores from an accepted
   * request's work landing late (past the settle window).
   */
  private async storesOnReplay(request: HostileRequest): Promise<boolean> {
    const before = await this.settled(300);
    const answer = await send(this.baseUrl, request).catch(() => undefined);
    const after = await this.settled(300);
    this.current = after;
    const rejected = answer && answer.status >= 400 && answer.status < 500;
    return !rejected || changedTables(before, after).length > 0;
  }

  /** A fingerprint that stayed the same for `quietMs`. */
  private async settled(quietMs = 25): Promise<Fingerprint> {
    let last = await this.fingerprint();
    for (;;) {
      await new Promise(resolve => setTimeout(resolve, quietMs));
      const next = await this.fingerprint();
      if (changedTables(last, next).length === 0) return next;
      last = next;
    }
  }

  count(check: Offender['check']): number {
    return this.offenders.filter(o => o.check === check).length;
  }
}
