// Reads jest's, the reliability table's and Playwright's JSON results and
// prints the counts per database (each reliability check counts as a test),
// then one closing line `N passed, N failed, N skipped`.
// Exits 1 when a test failed or no PostgreSQL test ran.
import { existsSync, readFileSync } from 'node:fs';

const [jestFile, reliabilityFile, playwrightFile] = process.argv.slice(2);
const databases = ['SQLITE_3', 'POSTGRES_15'];
const zero = () => ({ passed: 0, failed: 0, skipped: 0 });
const line = c =>
  `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;
const add = (into, status) => {
  if (status === 'passed') into.passed += 1;
  else if (status === 'failed') into.failed += 1;
  else into.skipped += 1;
};

const groups = Object.fromEntries(
  [...databases, 'other'].map(d => [d, zero()]),
);
const total = zero();
let suiteErrors = 0;

if (jestFile && existsSync(jestFile)) {
  const jest = JSON.parse(readFileSync(jestFile, 'utf8'));
  for (const file of jest.testResults) {
    // A suite that fails to load has no assertion results: count it once.
    if (file.status === 'failed' && file.assertionResults.length === 0) {
      suiteErrors += 1;
    }
    for (const test of file.assertionResults) {
      const db = databases.find(d => test.fullName.includes(d)) ?? 'other';
      add(groups[db], test.status);
      add(total, test.status);
    }
  }
  for (const db of databases) console.log(`jest on ${db}: ${line(groups[db])}`);
  console.log(`jest without a database: ${line(groups.other)}`);
} else {
  console.log('jest: no results');
  suiteErrors += 1;
}

if (reliabilityFile && existsSync(reliabilityFile)) {
  const { rows } = JSON.parse(readFileSync(reliabilityFile, 'utf8'));
  const checks = zero();
  for (const row of rows) {
    for (const check of row.checks) {
      add(checks, check.pass ? 'passed' : 'failed');
    }
  }
  console.log(`reliability rows (${rows.length}): ${line(checks)}`);
  for (const key of Object.keys(total)) total[key] += checks[key];
} else {
  console.log('reliability: no results');
  suiteErrors += 1;
}

if (playwrightFile && existsSync(playwrightFile)) {
  const { stats } = JSON.parse(readFileSync(playwrightFile, 'utf8'));
  const e2e = {
    passed: stats.expected + stats.flaky,
    failed: stats.unexpected,
    skipped: stats.skipped,
  };
  console.log(`end-to-end (chromium): ${line(e2e)}`);
  for (const key of Object.keys(total)) total[key] += e2e[key];
} else {
  console.log('end-to-end (chromium): no results');
  suiteErrors += 1;
}

total.failed += suiteErrors;
let ok = total.failed === 0;
if (groups.POSTGRES_15.passed === 0) {
  console.log('FAILED: no PostgreSQL test ran');
  ok = false;
}
console.log(line(total));
process.exit(ok ? 0 : 1);
