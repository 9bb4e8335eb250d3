import type { EngineEvent } from '@clipfleet/engine';
import type { EventBus } from '../fleet/bus.ts';

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
