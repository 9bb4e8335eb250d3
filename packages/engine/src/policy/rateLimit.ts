/**
 * createTask budget as KIE enforces it: at most `limit` calls in any `windowMs` window, shared by all
 * users of the account. A sliding-window log (not a refilling bucket) because a bucket would allow
 * 2x the limit across a window boundary, and KIE answers that with 429s.
 */
export class SlidingWindowLimiter {
  /** Recent call times, oldest first. Kept by count, not by the current window, so a hot reload that
   * lengthens the window still sees the calls made just before it. */
  private readonly calls: number[] = [];

  constructor(
    private limit: number,
    private windowMs: number,
    /** History kept: enough for any limit up to this size. */
    private readonly history = Math.max(limit, 256),
  ) {}

  reconfigure(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  countInWindow(now: number): number {
    let n = 0;
    for (let i = this.calls.length - 1; i >= 0 && this.calls[i]! > now - this.windowMs; i--) n++;
    return n;
  }

  /** The calls as another source (a shared log) knows them, oldest first: they replace what this one counted. */
  replace(times: readonly number[]): void {
    this.calls.splice(0, this.calls.length, ...times.slice(-this.history));
  }

  /** Slots free now. */
  free(now: number): number {
    return Math.max(0, this.limit - this.countInWindow(now));
  }

  /** Takes a slot if one is free now. */
  tryTake(now: number): boolean {
    if (this.countInWindow(now) >= this.limit) return false;
    this.calls.push(now);
    if (this.calls.length > this.history) this.calls.shift();
    return true;
  }

  /** Earliest time a slot frees (now if one is free). */
  nextFreeAt(now: number): number {
    if (this.countInWindow(now) < this.limit) return now;
    return this.calls[this.calls.length - this.limit]! + this.windowMs;
  }
}
