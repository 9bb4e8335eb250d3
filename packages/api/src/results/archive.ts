import { EventEmitter } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { EngineEvent } from '@clipfleet/engine';
import type { Db } from '../db/database.ts';
import type { EventBus } from '../fleet/bus.ts';
import { FetchRefused, safeGet, type FetchPolicy } from './safe-fetch.ts';
import { FileTooLarge, type ResultStorage } from './storage.ts';

export interface ArchiveOptions {
  /** Largest file kept (a 15 s 1080p video is tens of MB). */
  maxBytes: number;
  /** Download attempts per file (transport errors and 5xx); refusals and oversized files are not retried. */
  attempts: number;
  retryDelayMs: number;
  /** Archived files are deleted this long after they were stored; 0 keeps them forever. */
  retentionMs: number;
  fetch: FetchPolicy;
}

export const DEFAULT_ARCHIVE_OPTIONS: Omit<ArchiveOptions, 'fetch'> = {
  maxBytes: 500 * 1024 * 1024,
  attempts: 3,
  retryDelayMs: 2_000,
  retentionMs: 30 * 24 * 3600_000,
};

export interface ArchivedFile {
  taskId: string;
  index: number;
  bytes: number;
  key: string;
}

interface ArchiveEvents {
  archived: [ArchivedFile];
  failed: [{ taskId: string; index: number; error: string }];
}

const SWEEP_EVERY_MS = 3600_000;

/**
 * KIE's result URLs expire after about a day: when a task succeeds its files are downloaded into ClipFleet's
 * own storage, one task at a time, with the SSRF-safe fetch. Each file's outcome is a row in result_files and
 * an `archived` (or `failed`) event. Tasks that succeeded while the process was down are archived at start.
 */
export class ResultArchive extends EventEmitter<ArchiveEvents> {
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly halt = new AbortController();

  constructor(
    private readonly db: Db,
    readonly storage: ResultStorage,
    private readonly options: ArchiveOptions,
  ) {
    super();
  }

  async start(bus: EventBus): Promise<void> {
    this.unsubscribe = bus.subscribeAll((event: EngineEvent) => {
      if (event.type === 'task.succeeded') this.enqueue(event.taskId, event.resultUrls);
    });
    const pending = await this.db
      .selectFrom('tasks')
      .leftJoin('result_files', 'result_files.task_id', 'tasks.id')
      .select(['tasks.id', 'tasks.result_urls'])
      .where('tasks.state', '=', 'succeeded')
      .where('result_files.task_id', 'is', null)
      .execute();
    for (const t of pending) this.enqueue(t.id, t.result_urls ? (JSON.parse(t.result_urls) as string[]) : []);
    if (this.options.retentionMs > 0) {
      this.sweeper = setInterval(() => void this.sweep(Date.now()).catch((err) => console.error('result retention sweep failed:', err)), SWEEP_EVERY_MS);
      this.sweeper.unref();
      await this.sweep(Date.now());
    }
  }

  /** Resolves when everything queued so far is archived (or failed). */
  idle(): Promise<void> {
    return this.chain;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.halt.abort();
    this.unsubscribe?.();
    if (this.sweeper) clearInterval(this.sweeper);
    await this.chain;
  }

  /** Deletes archived files older than the retention period. */
  async sweep(now: number): Promise<number> {
    const old = await this.db
      .selectFrom('result_files')
      .select(['task_id', 'idx', 'storage_key'])
      .where('state', '=', 'archived')
      .where('updated_at', '<', now - this.options.retentionMs)
      .execute();
    for (const f of old) {
      if (f.storage_key) await this.storage.delete(f.storage_key);
      await this.db
        .updateTable('result_files')
        .set({ state: 'expired', storage_key: null, updated_at: now })
        .where('task_id', '=', f.task_id)
        .where('idx', '=', f.idx)
        .execute();
    }
    return old.length;
  }

  private enqueue(taskId: string, urls: string[]): void {
    this.chain = this.chain.then(async () => {
      for (const [index, url] of urls.entries()) {
        if (this.stopped) return;
        await this.archiveOne(taskId, index, url).catch((err) => console.error(`archiving ${taskId}#${index} failed:`, err));
      }
    });
  }

  private async archiveOne(taskId: string, index: number, url: string): Promise<void> {
    const key = `${taskId}/${index}.${extensionOf(url)}`;
    let error = '';
    let attempts = 0;
    while (attempts < this.options.attempts && !this.stopped) {
      attempts++;
      try {
        const res = await safeGet(url, this.options.fetch);
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (declared > this.options.maxBytes) {
          res.destroy();
          throw new FileTooLarge(this.options.maxBytes);
        }
        const { bytes } = await this.storage.put(key, res, { maxBytes: this.options.maxBytes });
        await this.record(taskId, index, url, { state: 'archived', storage_key: key, bytes, content_type: contentTypeOf(res.headers['content-type']), error: null, attempts });
        this.emit('archived', { taskId, index, bytes, key });
        return;
      } catch (err) {
        error = (err as Error).message;
        // A refused destination or an oversized file will not change on a retry.
        if (err instanceof FetchRefused || err instanceof FileTooLarge) break;
        if (attempts < this.options.attempts) await sleep(this.options.retryDelayMs * attempts, this.halt.signal);
      }
    }
    if (this.stopped) return; // retried at the next start
    await this.record(taskId, index, url, { state: 'failed', storage_key: null, bytes: null, content_type: null, error, attempts });
    this.emit('failed', { taskId, index, error });
  }

  private async record(
    taskId: string,
    index: number,
    url: string,
    row: { state: 'archived' | 'failed'; storage_key: string | null; bytes: number | null; content_type: string | null; error: string | null; attempts: number },
  ): Promise<void> {
    const values = { ...row, updated_at: Date.now() };
    await this.db
      .insertInto('result_files')
      .values({ task_id: taskId, idx: index, source_url: url, ...values })
      .onConflict((oc) => oc.columns(['task_id', 'idx']).doUpdateSet(values))
      .execute();
  }
}

/**
 * Waits `ms`, or less when the archive stops. Node's timer drops its abort listener when it fires: a hand-written
 * one that did not left one listener per retry on the archive's one signal (MaxListenersExceededWarning).
 */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => undefined);
}

function extensionOf(url: string): string {
  try {
    const m = /\.([a-z0-9]{2,4})$/i.exec(new URL(url).pathname);
    return m ? m[1]!.toLowerCase() : 'mp4';
  } catch {
    return 'mp4';
  }
}

/** Only a plain media type is kept (it is sent back on the file route). */
function contentTypeOf(header: string | undefined): string | null {
  const type = header?.split(';')[0]?.trim().toLowerCase();
  return type && /^[a-z]+\/[a-z0-9.+-]+$/.test(type) ? type : null;
}
