import { TestDatabases } from '@backstage/backend-test-utils';

/**
 * The databases every store and migration test runs on. PostgreSQL runs when
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING is set (the repo's test
 * command sets it and fails when no PostgreSQL test ran); SQLite always runs.
 * Test names carry the id, which is how the test command counts per database.
 */
export function createTestDatabases() {
  return TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
}

/**
 * `describe.each` over the PostgreSQL databases only, for what SQLite does
 * not do (several processes on one database, a dedicated connection).
 * Without a PostgreSQL connection string the block shows as skipped; the
 * repo's test command always provides one and fails when no PostgreSQL test
 * ran.
 */
export function describeOnPostgres(
  databases: ReturnType<typeof createTestDatabases>,
  name: string,
  fn: (id: 'POSTGRES_15') => void,
): void {
  const postgres = databases
    .eachSupportedId()
    .filter((entry): entry is ['POSTGRES_15'] => entry[0] === 'POSTGRES_15');
  (postgres.length > 0
    ? describe.each(postgres)
    : describe.skip.each([['POSTGRES_15' as const]]))(name, fn);
}
