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
  private events = 0;

  constructor(private readonly maxEvents = 16_384) {}

  get(batchId: string, afterSeq: number): readonly EngineEvent[] | undefined {
    const key = `${batchId}|${afterSeq}`;
    const page = this.pages.get(key);
    if (page) {
      this.pages.delete(key);
      this.pages.set(key, page);
    }
    return page;
  }

  /** Whether the page is kept (without counting as a use). */
  has(batchId: string, afterSeq: number): boolean {
    return this.pages.has(`${batchId}|${afterSeq}`);
  }

  /** Keeps a page; call only for full pages. */
  set(batchId: string, afterSeq: number, page: readonly EngineEvent[]): void {
    const key = `${batchId}|${afterSeq}`;
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
