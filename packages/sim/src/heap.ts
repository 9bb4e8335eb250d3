/**
 * A binary min-heap by a numeric key, ties in insertion order (the simulator's timers and its running jobs both
 * need one). The key is read once per push and kept beside the item, so ordering compares plain numbers
 * instead of calling back into the items.
 */
export class MinHeap<T> {
  private readonly items: T[] = [];
  private readonly keys: number[] = [];
  /** Insertion numbers: among equal keys the earlier push comes first. */
  private readonly order: number[] = [];
  private pushed = 0;

  constructor(private readonly keyOf: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** The smallest key (only when size > 0). */
  topKey(): number {
    return this.keys[0]!;
  }

  push(item: T): void {
    this.items.push(item);
    this.keys.push(this.keyOf(item));
    this.order.push(this.pushed++);
    this.up(this.items.length - 1);
  }

  pop(): T | undefined {
    const { items, keys, order } = this;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.length - 1;
    if (last > 0) this.move(last, 0);
    items.pop();
    keys.pop();
    order.pop();
    if (last > 1) this.down(0);
    return top;
  }

  /** Restores the order after items' keys changed in place (rare paths only: O(n log n)). */
  reorder(): void {
    const all = this.items.splice(0);
    this.keys.length = 0;
    this.order.length = 0;
    for (const item of all) this.push(item);
  }

  private before(i: number, j: number): boolean {
    const a = this.keys[i]!;
    const b = this.keys[j]!;
    return a < b || (a === b && this.order[i]! < this.order[j]!);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.before(l, m)) m = l;
      if (r < n && this.before(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /** Slot `from` overwrites slot `to` (the pop's last-to-root move). */
  private move(from: number, to: number): void {
    this.items[to] = this.items[from]!;
    this.keys[to] = this.keys[from]!;
    this.order[to] = this.order[from]!;
  }

  private swap(i: number, j: number): void {
    const { items, keys, order } = this;
    const item = items[i]!;
    const key = keys[i]!;
    const at = order[i]!;
    items[i] = items[j]!;
    keys[i] = keys[j]!;
    order[i] = order[j]!;
    items[j] = item;
    keys[j] = key;
    order[j] = at;
  }
}
