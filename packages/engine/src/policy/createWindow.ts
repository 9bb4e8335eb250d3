/**
 * An account's createTask budget as KIE counts it: at most `limit` creates arriving in any `windowMs`. KIE counts a
 * create when its request arrives, a time this side never sees: after the permit, before the answer (the attempt's
 * write, event-loop delay and the HTTP call lie between, and vary most under load). So a create counts from its
 * permit until its answer, however long that takes, and then for one window from the answer:
 *
 * if L + 1 creates arrived within one window, take the one whose permit came last (at g). Each other one was
 * booked before g and arrived at a_i ≤ its answer, with a_i > (last arrival) − windowMs ≥ g − windowMs; so at g
 * each was either still unanswered or answered less than a window before g: all L counted, and g was refused.
 *
 * A create that never reached KIE gives its place back. A sliding-window log, not a refilling bucket: a bucket
 * would allow twice the limit across a window boundary, and KIE answers that with 429s.
 */
export class CreateWindow {
  /** Answer times, oldest first. Kept by count, not by the window, so a hot reload that lengthens the window
   * still sees the creates made just before it. */
  private readonly answered: number[] = [];
  /** Creates booked and not answered yet, by task (a task has one at a time; counted, not assumed). */
  private readonly unanswered = new Map<string, number>();
  private unansweredCount = 0;

  constructor(
    private limit: number,
    private windowMs: number,
    /** Answers kept: enough for any limit up to this size. */
    private readonly history = Math.max(limit, 256),
  ) {}

  reconfigure(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  /** Creates that count now: every unanswered one and those answered within the last window. */
  count(now: number): number {
    return this.unansweredCount + countAfter(this.answered, now - this.windowMs);
  }

  /** Creates that may be booked now. */
  free(now: number): number {
    return Math.max(0, this.limit - this.count(now));
  }

  /**
   * Earliest time a create may be booked (now if one is free). While unanswered creates alone fill the window
   * it is a lower bound: an answer that comes now frees its place a window later.
   */
  nextFreeAt(now: number): number {
    return CreateWindow.freeAt(this.answered, this.unansweredCount, this.limit, this.windowMs, now);
  }

  /**
   * When the next create may be booked, for `answered` (answer times, oldest first) and `unanswered` creates
   * under `limit` per `windowMs` (the shared permit decides with it on the rows it read).
   */
  static freeAt(answered: readonly number[], unanswered: number, limit: number, windowMs: number, now: number): number {
    const inWindow = countAfter(answered, now - windowMs);
    const over = unanswered + inWindow - limit;
    if (over < 0) return now;
    // `over + 1` answers must leave the window; when fewer are in it, only answers still to come can free a place.
    return over < inWindow ? answered[answered.length - inWindow + over]! + windowMs : now + windowMs;
  }

  /** Books a create for the task if one is free now; it counts until its answer. */
  tryBook(taskId: string, now: number): boolean {
    if (this.count(now) >= this.limit) return false;
    this.unanswered.set(taskId, (this.unanswered.get(taskId) ?? 0) + 1);
    this.unansweredCount++;
    return true;
  }

  /**
   * The task's create was answered at `at` (or ended in doubt then): it counts for one window from `at`, or, when it
   * certainly never reached KIE, not at all. A task with nothing booked changes nothing.
   */
  settle(taskId: string, at: number, reached: boolean): void {
    const booked = this.unanswered.get(taskId);
    if (booked === undefined) return;
    if (booked === 1) this.unanswered.delete(taskId);
    else this.unanswered.set(taskId, booked - 1);
    this.unansweredCount--;
    if (reached) this.record(at);
  }

  /** The task is done with KIE for now: a create still booked for it was never sent (a permit given back). */
  withdraw(taskId: string): void {
    const booked = this.unanswered.get(taskId);
    if (booked === undefined) return;
    this.unanswered.delete(taskId);
    this.unansweredCount -= booked;
  }

  /** The answers as another source (a shared log) knows them: they replace what this one counted. */
  replace(answered: readonly number[]): void {
    this.answered.splice(0, this.answered.length, ...answered.slice(-this.history));
    this.unanswered.clear();
    this.unansweredCount = 0;
  }

  /** In time order (answers come back out of order only when the clock is stepped back). */
  private record(at: number): void {
    const { answered } = this;
    let i = answered.length;
    while (i > 0 && answered[i - 1]! > at) i--;
    answered.splice(i, 0, at);
    if (answered.length > this.history) answered.shift();
  }
}


/** How many of `times` (oldest first) are later than `after`. */
function countAfter(times: readonly number[], after: number): number {
  let n = 0;
  for (let i = times.length - 1; i >= 0 && times[i]! > after; i--) n++;
  return n;
}
