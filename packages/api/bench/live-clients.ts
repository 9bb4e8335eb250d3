/**
 * Live SSE subscribers for the bench's SSE phase, in a worker thread: 200 typed tRPC clients parsing every event
 * would otherwise share the bench's event loop with the simulated KIE, and on a loaded machine the figure measured
 * the client (streams still queued in the bench's sockets when the window closed), not the server.
 * Posts `connected` once every subscriber has its first event, and its subscribers' figures when all have ended
 * or when told to stop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EventSource } from 'eventsource';
import { createClipFleetClient } from '../src/client.ts';

export interface LiveWorkerInput {
  url: string;
  apiKey: string;
  batchId: string;
  count: number;
}

export interface LiveSubscriber {
  ids: string[];
  errors: number;
  done: boolean;
}

export type LiveWorkerOutput = { type: 'connected' } | { type: 'result'; subs: LiveSubscriber[] };

const input = workerData as LiveWorkerInput;
const client = createClipFleetClient(input.url, input.apiKey, { EventSource });
const subs: LiveSubscriber[] = Array.from({ length: input.count }, () => ({ ids: [], errors: 0, done: false }));
let firsts = 0;
let dones = 0;
let reported = false;
const post = (msg: LiveWorkerOutput) => parentPort!.postMessage(msg);

const handles = subs.map((sub) =>
  client.batch.onProgress.subscribe(
    { batchId: input.batchId, lastEventId: null },
    {
      onData: (item) => {
        if (sub.ids.push((item as { id: string }).id) === 1 && ++firsts === subs.length) post({ type: 'connected' });
      },
      onError: () => {
        sub.errors++;
      },
      onComplete: () => {
        if (sub.done) return;
        sub.done = true;
        if (++dones === subs.length) report();
      },
    },
  ),
);

function report(): void {
  if (reported) return;
  reported = true;
  for (const h of handles) h.unsubscribe();
  post({ type: 'result', subs });
}

parentPort!.on('message', () => report());
