import type { TaskSpec } from '../task/types.ts';

/** A class of tasks that the seed processes after everything else (1080p 15 s by default). */
export interface SlowClass {
  resolution: string;
  durationSec: number;
}

export function isSlowClass(spec: Pick<TaskSpec, 'resolution' | 'durationSec'>, slow: readonly SlowClass[]): boolean {
  return slow.some((c) => c.resolution === spec.resolution && c.durationSec === spec.durationSec);
}

/**
 * The seed's order inside a batch: the fast queue (every class not listed as slow) before the slow
 * queue, each shortest clip first; ties keep the submitted row order so the order is total.
 */
export function compareForAdmission(slow: readonly SlowClass[]) {
  return (a: TaskSpec, b: TaskSpec): number =>
    Number(isSlowClass(a, slow)) - Number(isSlowClass(b, slow)) ||
    a.durationSec - b.durationSec ||
    a.rowIndex - b.rowIndex;
}

/**
 * Round-robin over keys with a persistent cursor: each call to `order` starts after the key served
 * last, so one user with a huge batch cannot starve another user's small one.
 */
export class RoundRobin<K> {
  private readonly keys: K[] = [];
  private cursor = 0;

  add(key: K): void {
    if (!this.keys.includes(key)) this.keys.push(key);
  }

  remove(key: K): void {
    const i = this.keys.indexOf(key);
    if (i < 0) return;
    this.keys.splice(i, 1);
    if (i < this.cursor) this.cursor--;
    if (this.cursor >= this.keys.length) this.cursor = 0;
  }

  /** The `i`-th key in service order (0: the one at the cursor), without a copy of the order. */
  at(i: number): K | undefined {
    const { keys } = this;
    return i < keys.length ? keys[(this.cursor + i) % keys.length] : undefined;
  }

  /** Keys in service order starting at the cursor. */
  order(): K[] {
    const { keys, cursor } = this;
    const out = new Array<K>(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = keys[(cursor + i) % keys.length]!;
    return out;
  }

  /** Marks `key` as just served: the next round starts after it. */
  served(key: K): void {
    const i = this.keys.indexOf(key);
    if (i >= 0) this.cursor = (i + 1) % this.keys.length;
  }

  get size(): number {
    return this.keys.length;
  }
}
