import cliProgress from 'cli-progress';
import type { ClipFleetClient } from '../client.ts';

type BatchView = Awaited<ReturnType<ClipFleetClient['batch']['get']['query']>>;

/** Minimum time between two refreshes of one batch's counts while events stream in. */
const REFRESH_MS = 200;

/** "queued 3 · running 2 · succeeded 5 · failed 1": the non-zero counts, live states folded into "running". */
export function stateLine(counts: BatchView['counts']): string {
  const running = counts.submitting + counts.polling + counts.retrying;
  const parts: [string, number][] = [
    ['queued', counts.queued],
    ['running', running],
    ['paused', counts.paused],
    ['succeeded', counts.succeeded],
    ['failed', counts.failed],
    ['timed out', counts.timedOut],
    ['cancelled', counts.cancelled],
  ];
  return parts.filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(' · ') || 'no tasks';
}

/** Whether a finished batch had anything but successes. */
export function hasFailures(batch: BatchView): boolean {
  return batch.counts.failed + batch.counts.timedOut + batch.counts.cancelled > 0;
}

/**
 * Follows batches to their end over the SSE progress stream: a progress bar per batch with its counts by state
 * (on stderr, so stdout stays for --json). Each burst of events triggers one refresh of the batch's counts from the
 * server, so the bar shows the server's own numbers. Resolves with each batch as it ended.
 */
export async function watchBatches(client: ClipFleetClient, batchIds: string[], opts: { bars: boolean; stream?: NodeJS.WriteStream }): Promise<BatchView[]> {
  const initial = await Promise.all(batchIds.map((batchId) => client.batch.get.query({ batchId })));
  const width = Math.max(...initial.map((b) => label(b).length));
  const multibar = opts.bars
    ? new cliProgress.MultiBar(
        {
          stream: opts.stream ?? process.stderr,
          format: '{name} |{bar}| {percentage}% {value}/{total} | {states}',
          barsize: 30,
          hideCursor: true,
          // Outside a terminal (CI logs, pipes) the bars are printed as lines every few seconds.
          noTTYOutput: true,
          notTTYSchedule: 2000,
          emptyOnZero: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  try {
    return await Promise.all(
      initial.map(async (first) => {
        const bar = multibar?.create(first.taskCount, first.done, { name: label(first).padEnd(width), states: stateLine(first.counts) });
        let latest = first;
        const show = (b: BatchView) => {
          latest = b;
          bar?.update(b.done, { states: stateLine(b.counts) });
        };
        const refresh = coalesce(async () => show(await client.batch.get.query({ batchId: first.id })), REFRESH_MS);
        await new Promise<void>((resolve, reject) => {
          client.batch.onProgressGrouped.subscribe(
            { batchId: first.id, lastEventId: null },
            { onData: () => refresh.run(), onComplete: resolve, onError: reject },
          );
        });
        await refresh.idle();
        show(await client.batch.get.query({ batchId: first.id }));
        return latest;
      }),
    );
  } finally {
    multibar?.stop();
  }
}

function label(batch: BatchView): string {
  const name = batch.name.length > 28 ? `${batch.name.slice(0, 27)}…` : batch.name;
  return `${name} (${batch.id.slice(0, 8)})`;
}

/** Runs `fn` at most once per `spacingMs`, and once more after a call that came in while it ran. */
function coalesce(fn: () => Promise<void>, spacingMs: number) {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async () => {
    do {
      again = false;
      await fn().catch(() => {}); // a failed refresh is retried by the next event or the final one
      await new Promise((r) => setTimeout(r, spacingMs));
    } while (again);
    running = null;
  };
  return {
    run() {
      if (running) again = true;
      else running = loop();
    },
    idle: () => running ?? Promise.resolve(),
  };
}
