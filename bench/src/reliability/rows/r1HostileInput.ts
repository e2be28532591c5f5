/*
 * R1 hostile input: fast-check properties, one HTTP request per case, to
 * OpsHub running in-process (on a PostgreSQL database of its own) with the
 * real permission backend and actions registry, as a caller that may do
 * everything, so every refusal comes from input validation:
 * - `POST /webhooks/github`: GitHub's example payloads with fields
 *   retyped, oversized or removed, random bodies, hostile headers and
 *   signatures (valid ones for the mutated bytes too), content types;
 * - every other route of the router's own route table: hostile params,
 *   query strings and bodies (random, and near-valid ones mutated from a
 *   valid sample);
 * - every OpsHub action through the registry's invoke endpoint.
 * Checks: no 5xx (but a documented 503 of the webhook route shedding
 * load), no stack trace in an answer, and no table of OpsHub's changed by
 * a rejected (4xx) case. `--seed <n>` replays a run.
 */
import { as } from '@opshub/plugin-opshub-backend/src/__testUtils__/rbacBackend';
import { routeTable } from '@opshub/plugin-opshub-backend/src/__testUtils__/routeTable';
import { routeTableRouter } from '@opshub/plugin-opshub-backend/src/router';
import fc from 'fast-check';
import { percentile } from '../../lib/stats';
import { actionRequests, type ListedAction } from '../hostileInput/actionCases';
import {
  ROOT,
  startHostileInputBackend,
  WEBHOOK_SECRET,
} from '../hostileInput/backend';
import { fingerprinter } from '../hostileInput/fingerprint';
import { Judge, type Offender } from '../hostileInput/judge';
import {
  paramSamples,
  routeKey,
  routeRequests,
} from '../hostileInput/routeCases';
import {
  closeConnections,
  type HostileRequest,
  send,
} from '../hostileInput/send';
import { webhookRequests } from '../hostileInput/webhookCases';
import { exactly, type Row } from '../row';

const WEBHOOK = 'POST /webhooks/github';

/** Cases per target (route or action); the webhook route gets more. */
const CASES = {
  quick: { perTarget: 15, webhook: 120 },
  full: { perTarget: 200, webhook: 1000 },
};

interface Target {
  name: string;
  requests: fc.Arbitrary<HostileRequest>;
  runs: number;
}

function seedOfRun(): number {
  const index = process.argv.indexOf('--seed');
  if (index >= 0) return Number(process.argv[index + 1]) | 0;
  return (Math.random() * 2 ** 31) | 0;
}

async function opshubActions(baseUrl: string): Promise<ListedAction[]> {
  const answer = await send(baseUrl, {
    method: 'GET',
    path: '/api/opshub/.backstage/actions/v1/actions',
    headers: as(ROOT),
  });
  if (answer.status !== 200) {
    throw new Error(`listing actions answered ${answer.status}`);
  }
  return (
    JSON.parse(answer.text).actions as Array<
      ListedAction & { pluginId: string }
    >
  ).filter(action => action.pluginId === 'opshub');
}

function printOffenders(offenders: Offender[], log: (line: string) => void) {
  const byCheck = new Map<string, Offender[]>();
  for (const offender of offenders) {
    const key = `${offender.check} ${offender.target}`;
    byCheck.set(key, [...(byCheck.get(key) ?? []), offender]);
  }
  const worst = [...byCheck.entries()].sort(
    (a, b) => b[1].length - a[1].length,
  );
  for (const [key, cases] of worst.slice(0, 15)) {
    log(`FAIL ${key}: ${cases.length} cases, e.g. (status ${cases[0].status})`);
    log(`  sent: ${cases[0].request}`);
    log(`  answered: ${cases[0].answer}`);
    if (key.startsWith('nothing stored')) log(`  after: ${cases[0].previous}`);
  }
}

export const row: Row = {
  id: 'R1',
  title: 'hostile input',
  budgetMs: quick => (quick ? 50_000 : 330_000),
  async run({ quick, log, deadline }) {
    const seed = seedOfRun();
    log(`fast-check seed ${seed} (replay: --seed ${seed})`);
    const counts = quick ? CASES.quick : CASES.full;
    const backend = await startHostileInputBackend();
    try {
      const headers = as(ROOT);
      const samples = paramSamples(backend.previewId);
      const routes = routeTable(routeTableRouter());
      const actions = await opshubActions(backend.baseUrl);
      // Deletions last, so the seeded rows are there for the other routes.
      const ordered = [...routes].sort(
        (a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'),
      );
      const targets: Target[] = [
        ...ordered.map(route => {
          const name = routeKey(route);
          return name === WEBHOOK
            ? {
                name,
                requests: webhookRequests(WEBHOOK_SECRET),
                runs: counts.webhook,
              }
            : {
                name,
                requests: routeRequests(route, samples, headers),
                runs: counts.perTarget,
              };
        }),
        ...actions.map(action => ({
          name: `action ${action.id}`,
          requests: actionRequests(action, backend.previewId, headers),
          runs: counts.perTarget,
        })),
      ];
      log(`${routes.length} routes, ${actions.length} actions`);

      const judge = new Judge(
        backend.baseUrl,
        await fingerprinter(backend.knex),
        new Set([WEBHOOK]),
      );
      // Leave time to stop the backend and drop its database.
      const end = deadline - 20_000;
      let runsLeft = targets.reduce((sum, t) => sum + t.runs, 0);
      for (const [index, target] of targets.entries()) {
        // Each target's share of the time left, by its number of runs.
        const slice = ((end - Date.now()) * target.runs) / runsLeft;
        runsLeft -= target.runs;
        const details = await fc.check(
          fc.asyncProperty(target.requests, async request => {
            await judge.judge(target.name, request);
          }),
          {
            seed: (seed + index) | 0,
            numRuns: target.runs,
            interruptAfterTimeLimit: Math.max(slice, 100),
            markInterruptAsFailure: false,
          },
        );
        // The property never fails on its own (offenders are counted, not
        // thrown): a failure is a case that threw, except fast-check's
        // report of a time slice that ran out before its first case ended.
        if (details.failed && !details.interrupted) {
          throw new Error(
            `${target.name}: ${
              details.errorInstance ?? 'failed'
            } (interrupted ${details.interrupted}, runs ${
              details.numRuns
            }, counterexample ${JSON.stringify(details.counterexample)?.slice(
              0,
              300,
            )})`,
          );
        }
      }

      const perTarget = targets.map(t => judge.cases.get(t.name) ?? 0);
      const total = perTarget.reduce((sum, n) => sum + n, 0);
      const routeCases = routes.map(r => judge.cases.get(routeKey(r)) ?? 0);
      const actionCases = actions.map(
        a => judge.cases.get(`action ${a.id}`) ?? 0,
      );
      for (const [target, statuses] of judge.statuses) {
        const byStatus = [...statuses.entries()].sort(([a], [b]) => a - b);
        log(`${target}: ${byStatus.map(([s, n]) => `${s}×${n}`).join(' ')}`);
      }
      for (const late of judge.lateWrites) log(`late write: ${late}`);
      printOffenders(judge.offenders, log);
      log(
        `seed ${seed}: ${total} cases; ${Math.round(
          judge.spentMs.answers / 1000,
        )} s waiting for answers, ${Math.round(
          judge.spentMs.fingerprints / 1000,
        )} s for fingerprints`,
      );
      const coverage = `${routes.length} routes: ${summary(routeCases)}; ${
        actions.length
      } actions: ${summary(actionCases)}`;
      return [
        exactly('5xx answers', 0, judge.count('no 5xx')),
        exactly('stack traces in responses', 0, judge.count('no stack trace')),
        exactly(
          'rows stored by rejected requests',
          0,
          judge.count('nothing stored when rejected'),
        ),
        {
          name: 'cases per route (min/median/max, total)',
          goal: `>= ${quick ? 1 : 100} per target`,
          result: `${coverage}; ${total} in all`,
          pass: Math.min(...perTarget) >= (quick ? 1 : 100),
        },
      ];
    } finally {
      closeConnections();
      const stopping = Date.now();
      await backend.stop();
      log(`stopped in ${Date.now() - stopping} ms`);
    }
  },
};

function summary(counts: number[]): string {
  if (counts.length === 0) return 'none';
  return `${Math.min(...counts)}/${percentile(counts, 50)}/${Math.max(
    ...counts,
  )}`;
}
