import type { EngineEvent } from '@clipfleet/engine';
import type { AppDeps } from '../deps.ts';
import { batchEventsAfter } from '../store/events.ts';
import { ReplayCache } from './replayCache.ts';
import { SendTurns } from './sendTurns.ts';

/**
 * Stored events per replay page, and per grouped message while replaying: a late subscriber to a 6,000-event log
 * gets it in a couple of dozen messages, each bounded (about 75 KB), one page in memory per connection.
 */
const REPLAY_PAGE = 250;
/**
 * What sending a replay page other streams share costs in the send turns: its 75 KB socket write, about an eighth
 * of reading, parsing and serializing it (CPU profile of the late phase: ~0.9 ms against ~7 ms, loaded machine).
 * Costing it 1 let a round write 256 pages (over 200 ms) before the loop accepted the next connection.
 */
const SHARED_PAGE_COST = REPLAY_PAGE / 8;
/** Live events per chunk: one chunk per send turn (many subscribers, big bursts). */
const CHUNK = 32;
/**
 * Live events held for one slow subscriber at most; past that they are dropped and it catches up from the
 * database instead (they are stored before they are published), so a stuck connection cannot grow the heap.
 */
const MAX_PENDING = 2_000;
/** One queue of send turns (replayed pages and live chunks alike) and one page cache for the whole process. */
const sendTurns = new SendTurns();
const replayCache = new ReplayCache();

/**
 * A new progress connection's setup (request, credentials, the batch's row) in send-turn units: about 1 ms of CPU.
 * 200 subscribers connecting at once did it all in one pass of the event loop (stalls of 100+ ms).
 */
const CONNECT_COST = 32;

/** Waits for a turn to set up a new progress connection (ahead of the streams' next pages and chunks). */
export function connectTurn(): Promise<void> {
  return sendTurns.turn(CONNECT_COST, true);
}

/**
 * The page of a batch's log after `afterSeq`, in turn (a cached page too: the turns are what keeps the streams
 * round-robin, so every late subscriber gets its first page before anyone gets a third), read and cached when full.
 * A page read and parsed here costs its events; one shared with other streams (cached, or being read) costs
 * SHARED_PAGE_COST: its message is serialized once for all of them (see SseFraming), sending it is a socket write.
 */
async function replayPage(deps: AppDeps, batchId: string, afterSeq: number, first: boolean, signal: AbortSignal | undefined): Promise<readonly EngineEvent[]> {
  const sharedCost = (page: readonly EngineEvent[]) => Math.min(page.length, SHARED_PAGE_COST);
  // Asked for at the cost it will most likely have; one found shared only in its turn gives the rest back.
  const likelyShared = replayCache.has(batchId, afterSeq);
  const { page } = await sendTurns.run(
    // A stream that went away while it waited for its turn reads nothing (the server may be closing its database).
    async () => (signal?.aborted ? { page: [], shared: true } : replayCache.load(batchId, afterSeq, REPLAY_PAGE, () => batchEventsAfter(deps.db, batchId, afterSeq, REPLAY_PAGE))),
    { first, cost: likelyShared ? SHARED_PAGE_COST : REPLAY_PAGE, used: (r) => (r.shared ? sharedCost(r.page) : r.page.length) },
  );
  return page;
}

/**
 * A batch's event log from `afterSeq` on (its per-batch numbers), in order, exactly once: the replay from
 * task_events followed by live events. The live feed is subscribed before the replay and de-duplicated by seq; it
 * carries only committed events, so nothing falls between the two; where it misses some (a number skipped, or
 * the feed's notification connection dropped) the stream reads them from the log. Yields chunks (never empty) and
 * ends after `batch.finished` when nothing newer is stored, or when `signal` aborts.
 *
 * Backpressure per connection: the SSE response pulls the next chunk only when the previous one was written (the
 * responder in trpc/sseSubscriptions.ts waits for the connection's buffer to drain), so a slow client holds one
 * page, not the whole log; live events it cannot take fast enough are replayed from the database.
 */
export async function* batchEventChunks(deps: AppDeps, batchId: string, afterSeq: number, signal: AbortSignal | undefined): AsyncGenerator<readonly EngineEvent[]> {
  const pending: EngineEvent[] = [];
  /** Live events were missed: catch up from the log before going on live. */
  let behind = false;
  let wake: (() => void) | null = null;
  const unsubscribe = deps.feed.subscribe(batchId, {
    events(events) {
      if (pending.length + events.length > MAX_PENDING) {
        behind = true;
        pending.length = 0;
      }
      if (!behind) pending.push(...events);
      wake?.();
    },
    resync() {
      behind = true;
      pending.length = 0;
      wake?.();
    },
  });
  // One abort listener for the whole stream (not one per wait: they would pile up on the signal).
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let last = afterSeq;
    let ended = false;
    const replay = async function* () {
      for (;;) {
        const chunk = await replayPage(deps, batchId, last, last === afterSeq, signal);
        if (chunk.length === 0) return;
        last = chunk[chunk.length - 1]!.seq;
        ended = chunk.some((e) => e.type === 'batch.finished');
        yield chunk;
        if (chunk.length < REPLAY_PAGE) return;
      }
    };
    yield* replay();
    if (signal?.aborted || ((ended || pending.length === 0) && (await isFinished(deps, batchId, last)))) return;
    while (!signal?.aborted) {
      if (behind) {
        // Fell too far behind the live events, or some never arrived: catch up from the log, then go on live.
        behind = false;
        yield* replay();
        if (signal?.aborted || (ended && (await isFinished(deps, batchId, last)))) return;
        continue;
      }
      while (pending.length > 0) {
        const chunk = pending.splice(0, CHUNK).filter((e) => e.seq > last);
        if (chunk.length === 0) continue;
        if (chunk[0]!.seq !== last + 1 || !consecutive(chunk)) {
          behind = true;
          break;
        }
        last = chunk[chunk.length - 1]!.seq;
        // In turn with every other stream of the process: one committed write wakes them all at once.
        await sendTurns.turn(chunk.length);
        const finished = chunk.findIndex((e) => e.type === 'batch.finished');
        if (finished >= 0) {
          yield chunk.slice(0, finished + 1);
          return;
        }
        yield chunk;
      }
      if (signal?.aborted) break;
      if (behind) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  } finally {
    unsubscribe();
    signal?.removeEventListener('abort', onAbort);
  }
}

const groups = new WeakMap<readonly EngineEvent[], { events: readonly EngineEvent[] }>();

/**
 * A chunk as one grouped message, the same object for the same chunk: a replayed page is one array for every
 * subscriber, so the SSE responder serializes its message once for all of them.
 */
export function eventGroup(chunk: readonly EngineEvent[]): { events: readonly EngineEvent[] } {
  let group = groups.get(chunk);
  if (!group) groups.set(chunk, (group = { events: chunk }));
  return group;
}

/** Finished and nothing of it after `afterSeq` left to send. */
async function isFinished(deps: AppDeps, batchId: string, afterSeq: number): Promise<boolean> {
  const row = await deps.db.selectFrom('batches').select('finished_at').where('id', '=', batchId).executeTakeFirst();
  if (!row || row.finished_at === null) return false;
  const more = await batchEventsAfter(deps.db, batchId, afterSeq, 1);
  return more.length === 0;
}

function consecutive(events: readonly EngineEvent[]): boolean {
  return events.every((e, i) => i === 0 || e.seq === events[i - 1]!.seq + 1);
}
