/**
 * PostgreSQL returns timestamps as Date, SQLite as the epoch milliseconds
 * knex wrote; both become a Date here.
 */
export function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}
