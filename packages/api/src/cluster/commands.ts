import { randomBytes } from 'node:crypto';
import type { RemoteStatus } from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import { notify } from '../db/notify.ts';
import type { Executor } from '../store/executor.ts';

/** What an API process asks of the worker that owns a user. Each is idempotent: it may be carried out twice. */
export type FleetCommand =
  | { kind: 'addBatch'; batchId: string }
  | { kind: 'pauseBatch'; batchId: string }
  | { kind: 'resumeBatch'; batchId: string }
  | { kind: 'cancelBatch'; batchId: string }
  | { kind: 'retryFailed'; batchId: string }
  | { kind: 'cancelTask'; taskId: string }
  | { kind: 'callback'; remoteTaskId: string; status: RemoteStatus; verified: boolean; accountId?: string }
  | { kind: 'setPlan'; planId: string };

export interface StoredCommand {
  id: string;
  userId: string;
  command: FleetCommand;
}

let counter = 0;
/** Time-ordered ids: a user's commands run in the order they were given (ties within a millisecond by counter). */
function commandId(now: number): string {
  counter = (counter + 1) % 1_000_000;
  return `${now.toString(36).padStart(9, '0')}-${String(counter).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
}

/** Workers hear on this channel that a user has a new command (payload: the user id). */
export const COMMANDS_CHANNEL = 'clipfleet_commands';

/**
 * Queues a command for the user's owner and tells the workers (a user without an owner is claimed by one: see
 * claimOne). The row is the truth, the notification a cue: workers also look at every heartbeat.
 */
export async function enqueueCommand(db: Executor, userId: string, command: FleetCommand, now = Date.now()): Promise<string> {
  const id = commandId(now);
  await db.insertInto('fleet_commands').values({ id, user_id: userId, kind: command.kind, payload: JSON.stringify(command), created_at: now, done_at: null, done_by: null }).execute();
  await notify(db, COMMANDS_CHANNEL, userId);
  return id;
}

/** Commands not yet carried out for these users, oldest first. */
export async function pendingCommands(db: Executor, userIds: string[], limit = 500): Promise<StoredCommand[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('fleet_commands')
    .select(['id', 'user_id', 'payload'])
    .where('done_at', 'is', null)
    .where('user_id', 'in', userIds)
    .orderBy('id', 'asc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, userId: r.user_id, command: JSON.parse(r.payload) as FleetCommand }));
}

export async function markCommandsDone(db: Executor, ids: string[], workerId: string, now = Date.now()): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('fleet_commands').set({ done_at: now, done_by: workerId }).where('id', 'in', ids).where('done_at', 'is', null).execute();
}

/** Waits (polling) until the command is carried out; false after `timeoutMs` (it stays queued for the owner). */
export async function awaitCommand(db: Db, id: string, timeoutMs: number, pollMs = 25): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const row = await db.selectFrom('fleet_commands').select('done_at').where('id', '=', id).executeTakeFirst();
    if (!row || row.done_at !== null) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
