import type { EngineEvent } from '@clipfleet/engine';
import type { Executor } from './executor.ts';
import { shapedChunks } from './executor.ts';

/**
 * The stored progress log is a set of streams, each numbered 1, 2, 3, ... without gaps: one per batch (what an SSE
 * client follows and resumes by number), one per user for their batchless events (concurrency changes), and one
 * per fleet process for the rest (provider gate, storage, config). A stream has one writer at a time, the owner of
 * its batch or user, so its numbers follow the order that owner saw the events in.
 */
export function batchStream(batchId: string): string {
  return `batch:${batchId}`;
}

/** The stream an event belongs to; `fleetStream` names the writing process's own stream. */
export function streamOf(event: EngineEvent, fleetStream: string): string {
  if ('batchId' in event) return batchStream(event.batchId);
  if ('userId' in event) return `user:${event.userId}`;
  return fleetStream;
}

/** The default process stream (one process owns everything: the embedded, single-writer mode). */
export const FLEET_STREAM = 'fleet';

/** Events as committed: each carries its number in its stream; and, per batch, the numbers this write gave it. */
export interface Appended {
  events: EngineEvent[];
  batches: EventsNotice[];
}

/**
 * After a write commits, every process hears which numbers of which batch's log it added (a NOTIFY on this
 * channel; listeners read the rows: a payload stays small, and the rows are the truth).
 */
export const EVENTS_CHANNEL = 'clipfleet_events';

export interface EventsNotice {
  batchId: string;
  from: number;
  to: number;
}

export function encodeNotice(notice: EventsNotice): string {
  return JSON.stringify([notice.batchId, notice.from, notice.to]);
}

/** The notice in a payload, or null for one that is not (a foreign sender on the channel). */
export function decodeNotice(payload: string): EventsNotice | null {
  try {
    const [batchId, from, to] = JSON.parse(payload) as unknown[];
    if (typeof batchId === 'string' && Number.isSafeInteger(from) && Number.isSafeInteger(to) && (from as number) <= (to as number)) {
      return { batchId, from: from as number, to: to as number };
    }
  } catch {
    /* not ours */
  }
  return null;
}

/**
 * Appends events, each numbered next in its stream after the stream's last stored event: the next number is read
 * from the store in the same transaction, so a stream continues gap-free after a restart, and after another
 * process took its batch over. (stream, seq) is the primary key: should two writers ever append to one stream at
 * once (an ownership bug), the second cannot commit the same number, and its write fails instead of forking the log.
 */
export async function appendEvents(trx: Executor, events: readonly EngineEvent[], fleetStream: string, now = Date.now()): Promise<Appended> {
  const streams = events.map((e) => streamOf(e, fleetStream));
  const next = await lastSeqs(trx, [...new Set(streams)]);
  const batches = new Map<string, EventsNotice>();
  const stored = events.map((event, i) => {
    const stream = streams[i]!;
    const seq = (next.get(stream) ?? 0) + 1;
    next.set(stream, seq);
    if ('batchId' in event) {
      const notice = batches.get(event.batchId);
      if (notice) notice.to = seq;
      else batches.set(event.batchId, { batchId: event.batchId, from: seq, to: seq });
    }
    return { stream, event: { ...event, seq } };
  });
  for (const part of shapedChunks(stored, 256)) {
    await trx
      .insertInto('task_events')
      .values(
        part.map(({ stream, event: e }) => ({
          stream,
          seq: e.seq,
          type: e.type,
          user_id: 'userId' in e ? e.userId : null,
          batch_id: 'batchId' in e ? e.batchId : null,
          task_id: 'taskId' in e ? e.taskId : null,
          payload: JSON.stringify(e),
          at: e.at,
          created_at: now,
        })),
      )
      .execute();
  }
  return { events: stored.map((s) => s.event), batches: [...batches.values()] };
}

/**
 * The last stored number of each stream (absent: nothing stored yet). One `max` per stream, not one grouped query
 * over an `IN` list: a plain `max(seq) where stream = ?` is a single seek at the end of the (stream, seq) key in
 * SQLite and Postgres alike, while the grouped form walked every stored event of the stream (measured: 24 ms per
 * write once a batch had 60,000 events, most of the server's CPU late in a 10,000-row batch). The seeks go as
 * scalar subqueries of one statement per chunk of streams: one round trip, not one per stream, while the writer's
 * transaction holds the lease fence.
 */
async function lastSeqs(db: Executor, streams: string[]): Promise<Map<string, number>> {
  const last = new Map<string, number>();
  for (const part of shapedChunks(streams, 64)) {
    const row: Record<string, unknown> = await db
      .selectNoFrom((eb) =>
        part.map((stream, i) =>
          eb
            .selectFrom('task_events')
            .select((sub) => sub.fn.max<number | null>('seq').as('seq'))
            .where('stream', '=', stream)
            .as(`s${i}`),
        ),
      )
      .executeTakeFirstOrThrow();
    part.forEach((stream, i) => {
      const seq = row[`s${i}`];
      if (seq !== null && seq !== undefined) last.set(stream, Number(seq));
    });
  }
  return last;
}

/**
 * A batch's events numbered `afterSeq + 1` to `upTo`, in order, at most `limit`. The number comes from the row
 * (the payload of an event stored before per-batch numbering carries its old, global one).
 */
export async function batchEventsAfter(db: Executor, batchId: string, afterSeq: number, limit: number, upTo = Number.MAX_SAFE_INTEGER): Promise<EngineEvent[]> {
  const rows = await db
    .selectFrom('task_events')
    .select(['seq', 'payload'])
    .where('stream', '=', batchStream(batchId))
    .where('seq', '>', afterSeq)
    .where('seq', '<=', upTo)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...(JSON.parse(row.payload) as EngineEvent), seq: Number(row.seq) }));
}
