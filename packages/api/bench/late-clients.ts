/**
 * Load generators for the late-subscriber phase, in worker threads: 200 SSE streams parsing ~6,000 events each
 * would otherwise load the bench's own event loop, and its timings (first message, me.get) would measure the
 * client, not the server. Speaks the wire format directly (tRPC's SSE: `event:` blocks for control, `data:`
 * blocks for values, `id:` for tracked ones), with fetch.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

export type LateWorkerInput =
  | { mode: 'subscribers'; url: string; apiKey: string; batchId: string; count: number }
  | { mode: 'probe'; url: string; apiKey: string; everyMs: number };

export interface SubscriberFigures {
  firstMs: number | null;
  seqs: number[];
  done: boolean;
  error: string | null;
}

export type LateWorkerOutput = { mode: 'subscribers'; subs: SubscriberFigures[] } | { mode: 'probe'; latenciesMs: number[] };

async function subscribe(input: Extract<LateWorkerInput, { mode: 'subscribers' }>, t0: number): Promise<SubscriberFigures> {
  const fig: SubscriberFigures = { firstMs: null, seqs: [], done: false, error: null };
  const query = encodeURIComponent(JSON.stringify({ batchId: input.batchId, lastEventId: null }));
  try {
    const res = await fetch(`${input.url}/trpc/batch.onProgressGrouped?input=${query}`, { headers: { authorization: `Bearer ${input.apiKey}`, accept: 'text/event-stream' } });
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        if (event === 'return') fig.done = true;
        if (event) continue;
        const data = lines.find((l) => l.startsWith('data: '));
        if (!data) continue;
        fig.firstMs ??= performance.now() - t0;
        for (const e of (JSON.parse(data.slice(6)) as { events: Array<{ seq: number }> }).events) fig.seqs.push(e.seq);
      }
      if (fig.done) break;
    }
  } catch (err) {
    fig.error = (err as Error).message;
  }
  return fig;
}

async function probe(input: Extract<LateWorkerInput, { mode: 'probe' }>): Promise<number[]> {
  const latencies: number[] = [];
  let stop = false;
  parentPort!.once('message', () => (stop = true));
  while (!stop) {
    const t = performance.now();
    const res = await fetch(`${input.url}/trpc/me.get`, { headers: { authorization: `Bearer ${input.apiKey}` } });
    await res.text();
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, input.everyMs));
  }
  return latencies;
}

const input = workerData as LateWorkerInput;
if (input.mode === 'subscribers') {
  const t0 = performance.now();
  const subs = await Promise.all(Array.from({ length: input.count }, () => subscribe(input, t0)));
  parentPort!.postMessage({ mode: 'subscribers', subs } satisfies LateWorkerOutput);
} else {
  parentPort!.postMessage({ mode: 'probe', latenciesMs: await probe(input) } satisfies LateWorkerOutput);
}
