/** CLIPFLEET_DB: a Postgres URL, or else a SQLite file path (':memory:' for a private in-memory database). */
export function isPostgresUrl(target: string): boolean {
  return /^postgres(ql)?:\/\//i.test(target);
}

/** The target without a URL's password, for messages and logs. */
export function redactUrl(target: string): string {
  return target.replace(/^(postgres(?:ql)?:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}

/** The database target cannot be used (malformed, unreachable, not openable): start-up names CLIPFLEET_DB with it. */
export class DatabaseTargetError extends Error {
  override name = 'DatabaseTargetError';
}
