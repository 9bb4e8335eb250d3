import { performance } from 'node:perf_hooks';
import type { SimClock } from '../core.ts';

/**
 * Real time, sped up: `timeScale` simulated seconds pass per real second. This is the one place the
 * simulator reads the wall clock: the HTTP face serves real clients, so its time must move by itself.
 */
export class ScaledRealClock implements SimClock {
  private readonly startedAt = performance.now();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly timeScale: number) {
    if (!(timeScale > 0)) throw new Error(`timeScale must be > 0 (got ${timeScale})`);
  }

  /** Simulated ms since the server started. */
  now(): number {
    return Math.floor((performance.now() - this.startedAt) * this.timeScale);
  }

  setTimeout(fn: () => void, simMs: number): void {
    this.at(this.now() + Math.max(0, simMs), fn);
  }

  /**
   * Runs `fn` once simulated time has reached `due`. Node timers have millisecond resolution, so at
   * a high time scale one may fire a little early: it is then re-armed for the remainder.
   */
  private at(due: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.now() < due) this.at(due, fn);
      else fn();
    }, Math.max(0, (due - this.now()) / this.timeScale));
    this.timers.add(timer);
  }

  /** Cancels everything still scheduled (server shutdown). */
  clearAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
