/*
 * The reliability table: OpsHub's promises (a crash loses nothing, more
 * instances never run a preview's work twice at once, no input breaks it,
 * no secret leaks) as rows R1 … R9, each with its goals and what this run
 * measured. Loopback only: `src/reliability/loopbackGuard.js` is preloaded
 * here and, through NODE_OPTIONS, into every process the rows start; any
 * connection or name lookup outside 127.0.0.0/8 and ::1 is refused and
 * fails the run. Each row has a time budget; the run ends by itself and
 * stops what it started.
 *
 *   yarn workspace @internal/opshub-bench reliability [--rows R1,R5]
 *     [--quick] [--json <file>]
 *
 * `--quick` is scripts/test.sh's bounded run (R1 with fewer cases). Exits
 * non-zero when a check fails, a row fails or overruns, or the guard
 * refused anything. `--json` also writes the table's rows and checks to a
 * file (scripts/test.sh counts them with the other tests).
 */
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { installed, violations } from './reliability/loopbackGuard';
import type { Check, Row } from './reliability/row';
import { stopStartedProcesses } from './lib/processes';

// yarn runs workspace scripts in bench/.
const ROWS_DIR = join(process.cwd(), 'src', 'reliability', 'rows');
const ALL_IDS = ['R1', 'R2', 'R3', 'R4', 'R5', 'R6', 'R7', 'R8', 'R9'];

function loadRows(): Map<string, Row> {
  const rows = new Map<string, Row>();
  for (const file of readdirSync(ROWS_DIR).sort()) {
    if (!/^r\d+\w*\.ts$/.test(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { row } = require(join(ROWS_DIR, file)) as { row: Row };
    rows.set(row.id, row);
  }
  return rows;
}

function selectedIds(): string[] {
  const index = process.argv.indexOf('--rows');
  if (index < 0) return ALL_IDS;
  const ids = String(process.argv[index + 1] ?? '')
    .split(',')
    .map(id => id.trim().toUpperCase());
  const unknown = ids.filter(id => !ALL_IDS.includes(id));
  if (ids.length === 0 || unknown.length > 0) {
    throw new Error(`--rows takes ids among ${ALL_IDS.join(',')}`);
  }
  return ids;
}

interface RowOutcome {
  id: string;
  title: string;
  checks: Check[];
  seconds: number;
}

async function runRow(row: Row, quick: boolean): Promise<RowOutcome> {
  const start = Date.now();
  const budget = row.budgetMs(quick);
  const log = (line: string) => console.log(`${row.id} ${line}`);
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<Check[]>(resolve => {
    timer = setTimeout(
      () =>
        resolve([
          {
            name: 'finished within its budget',
            goal: `<= ${budget / 1000} s`,
            result: 'overran',
            pass: false,
          },
        ]),
      budget,
    );
  });
  let checks: Check[];
  try {
    checks = await Promise.race([
      row.run({ quick, log, deadline: start + budget }),
      overrun,
    ]);
  } catch (error) {
    log(`failed: ${(error as Error).stack ?? error}`);
    checks = [
      {
        name: 'ran to the end',
        goal: 'yes',
        result: `failed: ${(error as Error).message}`.slice(0, 200),
        pass: false,
      },
    ];
  } finally {
    clearTimeout(timer);
  }
  return {
    id: row.id,
    title: row.title,
    checks,
    seconds: (Date.now() - start) / 1000,
  };
}

function printTable(outcomes: RowOutcome[]) {
  const lines = outcomes.flatMap(o =>
    o.checks.map((c, i) => [
      i === 0 ? `${o.id} ${o.title} (${Math.round(o.seconds)} s)` : '',
      c.name,
      c.goal,
      c.result,
      c.pass ? 'pass' : 'FAIL',
    ]),
  );
  const header = ['Row', 'Check', 'Goal', 'Result', ''];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...lines.map(l => l[i].length)),
  );
  const format = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`\n${format(header)}`);
  console.log(format(widths.map(w => '-'.repeat(w))));
  for (const line of lines) console.log(format(line));
}

/** Refusals of this process and of every process started with the guard. */
function guardRefusals(logFile: string): string[] {
  let fromChildren: string[] = [];
  try {
    fromChildren = readFileSync(logFile, 'utf8').split('\n').filter(Boolean);
  } catch {
    // No child refused anything.
  }
  return [...violations(), ...fromChildren];
}

async function main() {
  if (!installed()) {
    throw new Error('the loopback guard is not preloaded (run through yarn)');
  }
  const quick = process.argv.includes('--quick');
  const ids = selectedIds();
  const rows = loadRows();
  const missing = ids.filter(id => !rows.has(id));
  if (missing.length > 0) throw new Error(`no row ${missing.join(', ')} yet`);

  const guardDir = mkdtempSync(join(tmpdir(), 'opshub-reliability-'));
  const logFile = join(guardDir, 'refusals.log');
  process.env.OPSHUB_LOOPBACK_GUARD_LOG = logFile;
  process.env.NODE_OPTIONS = [
    process.env.NODE_OPTIONS ?? '',
    `--require ${join(
      process.cwd(),
      'src',
      'reliability',
      'loopbackGuard.js',
    )}`,
  ]
    .join(' ')
    .trim();

  const outcomes: RowOutcome[] = [];
  try {
    for (const id of ids) {
      const row = rows.get(id)!;
      console.log(`${id} ${row.title}: starting`);
      const outcome = await runRow(row, quick);
      outcomes.push(outcome);
      if (outcome.checks.some(c => c.result === 'overran')) {
        // A row past its budget may still hold processes and ports.
        break;
      }
    }
  } finally {
    await stopStartedProcesses();
  }

  const refusals = guardRefusals(logFile);
  rmSync(guardDir, { recursive: true, force: true });
  outcomes.push({
    id: 'Guard',
    title: 'loopback only',
    checks: [
      {
        name: 'connections and lookups outside loopback',
        goal: '0',
        result: String(refusals.length),
        pass: refusals.length === 0,
      },
    ],
    seconds: 0,
  });
  for (const refusal of refusals.slice(0, 10))
    console.log(`refused: ${refusal}`);
  printTable(outcomes);
  const jsonIndex = process.argv.indexOf('--json');
  if (jsonIndex >= 0) {
    // Relative to where the command was typed, not bench/.
    const file = resolvePath(
      process.env.INIT_CWD ?? process.cwd(),
      process.argv[jsonIndex + 1],
    );
    writeFileSync(file, JSON.stringify({ rows: outcomes }, null, 2));
  }
  const failed = outcomes.flatMap(o => o.checks).filter(c => !c.pass).length;
  const ran = outcomes.length - 1;
  console.log(
    `\nreliability: ${ran} of ${ids.length} rows ran, ${failed} checks failed`,
  );
  process.exitCode = failed === 0 && ran === ids.length ? 0 : 1;
}

main()
  .catch(error => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    // Whatever a row left behind (timers, sockets) does not keep the run up.
    setTimeout(() => process.exit(), 1_000).unref();
    // A Backstage backend the rows started in this process leaves a
    // `beforeExit` listener that exits with 0 once the loop is empty: exit
    // first, with the run's own code.
    process.prependOnceListener('beforeExit', () => process.exit());
  });
