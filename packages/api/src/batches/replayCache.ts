import type { EngineEvent } from '@clipfleet/engine';

/**
 * Full replay pages shared by every subscriber of the process. A full page of a batch's log after a given seq
 * never changes (events are committed in seq order, so nothing can appear inside it later), and late subscribers
 * to one batch walk the same pages: 200 of them read and parse each page once instead of 200 times.
 * Bounded by the events it holds, not by pages (a smaller page must not make a log too long to share), least
 * recently used pages dropped first.
 */
export class ReplayCache {
  private readonly pages = new Map<string, readonly EngineEvent[]>();
  /** Pages being read now: streams asking for one while it is read wait for that read instead of making their own. */
  private readonly reading = new Map<string, Promise<readonly EngineEvent[]>>();
  private events = 0;

  constructor(private readonly maxEvents = 16_384) {}

  get(batchId: string, afterSeq: number): readonly EngineEvent[] | undefined {
    return this.kept(keyOf(batchId, afterSeq));
  }

  /** Whether the page is kept or being read (without counting as a use). */
  has(batchId: string, afterSeq: number): boolean {
    const key = keyOf(batchId, afterSeq);
    return this.pages.has(key) || this.reading.has(key);
  }

  /**
   * The page: kept, being read by another stream (that read is shared), or read now by `read` and kept when it
   * has `fullLength` events. `shared`: another read served it.
   */
  async load(batchId: string, afterSeq: number, fullLength: number, read: () => Promise<readonly EngineEvent[]>): Promise<{ page: readonly EngineEvent[]; shared: boolean }> {
    const key = keyOf(batchId, afterSeq);
    const cached = this.kept(key);
    if (cached) return { page: cached, shared: true };
    const pending = this.reading.get(key);
    if (pending) return { page: await pending, shared: true };
    const fresh = read();
    this.reading.set(key, fresh);
    try {
      const page = await fresh;
      if (page.length === fullLength) this.keep(key, page);
      return { page, shared: false };
    } finally {
      this.reading.delete(key);
    }
  }

  private kept(key: string): readonly EngineEvent[] | undefined {
    const page = this.pages.get(key);
    if (page) {
      this.pages.delete(key);
      this.pages.set(key, page);
    }
    return page;
  }

  private keep(key: string, page: readonly EngineEvent[]): void {
    this.drop(key);
    this.pages.set(key, page);
    this.events += page.length;
    while (this.events > this.maxEvents) this.drop(this.pages.keys().next().value!);
  }

  private drop(key: string): void {
    const page = this.pages.get(key);
    if (!page) return;
    this.pages.delete(key);
    this.events -= page.length;
  }
}

const keyOf = (batchId: string, afterSeq: number) => `${batchId}|${afterSeq}`;
