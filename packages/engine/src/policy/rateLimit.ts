/**
 * createTask budget as KIE enforces it: at most `limit` calls in any `windowMs` window, shared by all
 * users of the account. A sliding-window log (not a refilling bucket) because a bucket would allow
 * 2x the limit across a window boundary, and KIE answers that with 429s.
 */
export class SlidingWindowLimiter {
  /** Call times inside the current window, oldest first. */
  private readonly calls: number[] = [];

  constructor(
    private limit: number,
    private windowMs: number,
  ) {}

  reconfigure(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  private expire(now: number): void {
    while (this.calls.length > 0 && this.calls[0]! <= now - this.windowMs) this.calls.shift();
  }

  countInWindow(now: number): number {
    this.expire(now);
    return this.calls.length;
  }

  /** Takes a slot if one is free now. */
  tryTake(now: number): boolean {
    this.expire(now);
    if (this.calls.length >= this.limit) return false;
    this.calls.push(now);
    return true;
  }

  /** Earliest time a slot frees (now if one is free). */
  nextFreeAt(now: number): number {
    this.expire(now);
    if (this.calls.length < this.limit) return now;
    return this.calls[this.calls.length - this.limit]! + this.windowMs;
  }
}
