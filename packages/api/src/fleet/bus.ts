import type { EngineEvent } from '@clipfleet/engine';

export type EventListener = (event: EngineEvent) => void;

/**
 * Fans persisted engine events out to live subscribers (SSE streams, the inspector). Only events already
 * committed to task_events are published, so a subscriber that replays history after subscribing has no gap.
 */
export class EventBus {
  private readonly byBatch = new Map<string, Set<EventListener>>();
  private readonly all = new Set<EventListener>();

  subscribeBatch(batchId: string, listener: EventListener): () => void {
    let set = this.byBatch.get(batchId);
    if (!set) this.byBatch.set(batchId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byBatch.delete(batchId);
    };
  }

  subscribeAll(listener: EventListener): () => void {
    this.all.add(listener);
    return () => this.all.delete(listener);
  }

  publish(event: EngineEvent): void {
    const batchId = 'batchId' in event ? event.batchId : undefined;
    if (batchId) for (const l of this.byBatch.get(batchId) ?? []) safe(l, event);
    for (const l of this.all) safe(l, event);
  }
}

function safe(listener: EventListener, event: EngineEvent): void {
  try {
    listener(event);
  } catch (err) {
    console.error('event listener failed:', err);
  }
}
