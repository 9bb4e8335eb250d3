import type { TaskSpec } from '../task/types.ts';

/**
 * One batch's waiting tasks in admission order. The bulk is sorted once on arrival and consumed
 * through a head index (no per-admission shifting of a 10,000-element array); tasks coming back
 * (resumed, retried by the user) go to a small sorted side list. Entries that stopped waiting
 * (cancelled, paused) are dropped lazily when they reach the head.
 */
export class AdmissionQueue {
  private readonly main: TaskSpec[];
  private head = 0;
  private readonly returned: TaskSpec[] = [];

  constructor(
    tasks: readonly TaskSpec[],
    private readonly compare: (a: TaskSpec, b: TaskSpec) => number,
  ) {
    this.main = [...tasks].sort(compare);
  }

  /** The next task still waiting, per `isWaiting`, or undefined. */
  peek(isWaiting: (taskId: string) => boolean): TaskSpec | undefined {
    while (this.head < this.main.length && !isWaiting(this.main[this.head]!.taskId)) this.head++;
    while (this.returned.length > 0 && !isWaiting(this.returned[0]!.taskId)) this.returned.shift();
    const a = this.main[this.head];
    const b = this.returned[0];
    if (!a) return b;
    if (!b) return a;
    return this.compare(b, a) < 0 ? b : a;
  }

  /** The distinct waiting tasks in admission order, without taking them (a task may sit here twice). */
  *waiting(isWaiting: (taskId: string) => boolean): Generator<TaskSpec, void, undefined> {
    if (!this.peek(isWaiting)) return;
    // Only a task put back can appear twice (the main list holds each task once).
    const seen = this.returned.length > 0 ? new Set<string>() : null;
    let i = this.head;
    let k = 0;
    for (;;) {
      const a = this.main[i];
      const b = this.returned[k];
      if (!a && !b) return;
      const fromReturned = !a || (b !== undefined && this.compare(b, a) < 0);
      const spec = fromReturned ? b! : a;
      if (fromReturned) k++;
      else i++;
      if (seen?.has(spec.taskId) || !isWaiting(spec.taskId)) continue;
      seen?.add(spec.taskId);
      yield spec;
    }
  }

  /** Removes the task `peek` just returned. */
  take(spec: TaskSpec): void {
    if (this.returned[0] === spec) this.returned.shift();
    else if (this.main[this.head] === spec) this.head++;
  }

  /** Puts a task back in its place. */
  putBack(spec: TaskSpec): void {
    let i = this.returned.length;
    while (i > 0 && this.compare(this.returned[i - 1]!, spec) > 0) i--;
    this.returned.splice(i, 0, spec);
  }
}
