import type { EngineEvent } from '@clipfleet/engine';
import type { createClipFleetClient } from '../../src/index.ts';

export interface Tracked {
  id: string;
  data: EngineEvent;
}

/**
 * Follows `batch.onProgress` from `lastEventId`: `got` fills as events arrive; `done` resolves with them when the
 * stream completes, or after `stopAfter` events (then it unsubscribes).
 */
export function followProgress(client: ReturnType<typeof createClipFleetClient>, batchId: string, lastEventId: string | null, stopAfter = Infinity) {
  const got: Tracked[] = [];
  const done = new Promise<Tracked[]>((resolve, reject) => {
    const sub = client.batch.onProgress.subscribe(
      { batchId, lastEventId },
      {
        onData: (item) => {
          got.push(item as Tracked);
          if (got.length >= stopAfter) {
            sub.unsubscribe();
            resolve(got);
          }
        },
        onComplete: () => resolve(got),
        onError: reject,
      },
    );
  });
  return { got, done };
}
