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
