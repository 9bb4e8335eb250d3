import type { EngineEvent } from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import { dbKind } from '../db/dialect.ts';
import { listen } from '../db/notify.ts';
import type { EventBus } from '../fleet/bus.ts';
import { batchEventsAfter, decodeNotice, EVENTS_CHANNEL, type EventsNotice } from '../store/events.ts';

/** What a progress stream hears of its batch while it is live. */
export interface FeedListener {
  /** Committed events of the batch, in order (a stream de-duplicates by seq and reads the log where one is missing). */
  events(events: readonly EngineEvent[]): void;
  /** Some events may have been missed (the notification connection dropped): read the log from the last one seen. */
  resync(): void;
}

/**
 * The live source of a batch's committed events for this process's SSE streams: in one process the in-process bus
 * (the writer publishes what it committed); with several processes on Postgres, LISTEN/NOTIFY (see notifyFeed).
 */
export interface BatchFeed {
  subscribe(batchId: string, listener: FeedListener): () => void;
  close(): Promise<void>;
}

/** The single-process feed: the fleet's own bus. */
export function busFeed(bus: EventBus): BatchFeed {
  return {
    subscribe: (batchId, listener) => bus.subscribeBatch(batchId, (event) => listener.events([event])),
    close: async () => {},
  };
}

/**
 * The feed of a process that serves progress streams: on Postgres LISTEN/NOTIFY, so a stream sees the events of
 * its batch whichever process owns it; on SQLite (one process owns everything) the fleet's bus.
 */
export async function openBatchFeed(db: Db, bus: EventBus | undefined): Promise<BatchFeed> {
  if (dbKind(db) === 'postgres') return notifyFeed(db);
  if (!bus) throw new Error('a SQLite database is served by the process that runs its fleet (no bus given)');
  return busFeed(bus);
}

/**
 * Hears each committed write's notice (batch id and numbers, see the writer) and reads those rows once per process
 * for every local stream of that batch; reads of one batch happen in notice order, so its events are delivered in
 * order. Notices of batches nobody here follows cost nothing. When the listening connection was lost and is back,
 * every stream is told to resync: notices sent meanwhile are gone, the rows are not.
 */
export async function notifyFeed(db: Db): Promise<BatchFeed> {
  const followers = new Map<string, Set<FeedListener>>();
  const reads = new Map<string, Promise<void>>();

  const read = async (notice: EventsNotice): Promise<void> => {
    const listeners = followers.get(notice.batchId);
    if (!listeners) return;
    let events: EngineEvent[];
    try {
      events = await batchEventsAfter(db, notice.batchId, notice.from - 1, notice.to - notice.from + 1, notice.to);
    } catch (err) {
      console.error(`progress feed: reading events of batch ${notice.batchId} failed (${(err as Error).message}); its streams read the log`);
      for (const l of listeners) l.resync();
      return;
    }
    if (events.length > 0) for (const l of listeners) l.events(events);
  };

  const stop = await listen(
    db,
    EVENTS_CHANNEL,
    (payload) => {
      const notice = decodeNotice(payload);
      if (!notice || !followers.has(notice.batchId)) return;
      const next = (reads.get(notice.batchId) ?? Promise.resolve()).then(() => read(notice));
      reads.set(notice.batchId, next);
      void next.finally(() => {
        if (reads.get(notice.batchId) === next) reads.delete(notice.batchId);
      });
    },
    { onReconnect: () => followers.forEach((set) => set.forEach((l) => l.resync())) },
  );

  return {
    subscribe(batchId, listener) {
      let set = followers.get(batchId);
      if (!set) followers.set(batchId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) followers.delete(batchId);
      };
    },
    async close() {
      followers.clear();
      await stop();
    },
  };
}
