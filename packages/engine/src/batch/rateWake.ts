import type { EngineClock } from '../ports/clock.ts';

/**
 * The rate-window wake-up: when work waits only for the createTask window, one timer wakes admission when the
 * next slot frees (an earlier request replaces a later timer; a later one is ignored).
 */
export class RateWake {
  private wake: { at: number; handle: unknown } | null = null;

  constructor(
    private readonly clock: EngineClock,
    private readonly onWake: () => void,
  ) {}

  /** Wakes at `at` (engine-clock time), unless a wake-up is due sooner. */
  at(at: number): void {
    const now = this.clock.now();
    if (at <= now) return;
    if (this.wake && this.wake.at <= at) return;
    if (this.wake) this.clock.clearTimeout(this.wake.handle);
    const handle = this.clock.setTimeout(() => {
      this.wake = null;
      this.onWake();
    }, at - now);
    this.wake = { at, handle };
  }

  stop(): void {
    if (this.wake) this.clock.clearTimeout(this.wake.handle);
    this.wake = null;
  }
}
