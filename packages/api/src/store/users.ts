import type { Executor } from './executor.ts';
import { hashApiKey, newApiKey, newId } from './ids.ts';

export interface UserRecord {
  id: string;
  name: string;
  createdAt: number;
}

export async function createUser(db: Executor, name: string, now = Date.now()): Promise<UserRecord> {
  const id = newId();
  await db.insertInto('users').values({ id, name, created_at: now }).execute();
  // Unowned from the start: any worker may claim the user once they have work (see cluster/leases.ts).
  await db.insertInto('user_leases').values({ user_id: id, owner: null, epoch: 0, expires_at: 0 }).execute();
  return { id, name, createdAt: now };
}

/** Issues a new key for the user; the returned key is the only time it exists in clear. */
export async function issueApiKey(db: Executor, userId: string, label = 'default', now = Date.now()): Promise<string> {
  const key = newApiKey();
  await db
    .insertInto('api_keys')
    .values({ id: newId(), user_id: userId, key_hash: hashApiKey(key), prefix: key.slice(0, 8), label, created_at: now, revoked_at: null })
    .execute();
  return key;
}

export async function findUserByApiKey(db: Executor, key: string): Promise<UserRecord | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('users', 'users.id', 'api_keys.user_id')
    .select(['users.id', 'users.name', 'users.created_at'])
    .where('api_keys.key_hash', '=', hashApiKey(key))
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, name: row.name, createdAt: Number(row.created_at) } : undefined;
}

export async function getUser(db: Executor, userId: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  return row ? { id: row.id, name: row.name, createdAt: Number(row.created_at) } : undefined;
}

export async function countUsers(db: Executor): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
