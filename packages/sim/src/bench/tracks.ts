import type { BatchInput } from '@clipfleet/engine';

const FAST = 1;
const RETRIED = 2;
const SUCCEEDED = 4;

/**
 * What the harness remembers per task, in a few bytes each (an index entry, one flag byte, the last remote id
 * and a duration slot), so that its bookkeeping stays small next to what it measures.
 */
export class TaskTracks {
  readonly size: number;
  private readonly index = new Map<string, number>();
  private readonly flags: Uint8Array;
  private readonly lastRemoteIds: Array<string | undefined>;
  /** The successful attempt's generation time (ms) per task, NaN when none (the last success created wins). */
  private readonly durations: Float64Array;

  constructor(batches: BatchInput[]) {
    for (const batch of batches) for (const t of batch.tasks) if (!this.index.has(t.taskId)) this.index.set(t.taskId, this.index.size);
    this.size = this.index.size;
    this.flags = new Uint8Array(this.size);
    this.lastRemoteIds = new Array<string | undefined>(this.size).fill(undefined);
    this.durations = new Float64Array(this.size).fill(Number.NaN);
    // A task id given twice is one task, described by its last spec.
    for (const batch of batches) for (const t of batch.tasks) this.flags[this.index.get(t.taskId)!] = t.resolution === '720p' ? FAST : 0;
  }

  /** How many tasks are 720p (the seed's "fast part"). */
  fastCount(): number {
    let n = 0;
    for (const f of this.flags) if (f & FAST) n++;
    return n;
  }

  /** The task's slot: one lookup per event, then the calls below take it. */
  slot(taskId: string): number {
    const i = this.index.get(taskId);
    if (i === undefined) throw new Error(`event for a task the run does not have: ${taskId}`);
    return i;
  }

  isFast(slot: number): boolean {
    return (this.flags[slot]! & FAST) !== 0;
  }

  submitted(slot: number, remoteTaskId: string): void {
    this.lastRemoteIds[slot] = remoteTaskId;
  }

  lastRemoteId(slot: number): string | undefined {
    return this.lastRemoteIds[slot];
  }

  markRetried(slot: number): void {
    this.flags[slot]! |= RETRIED;
  }

  isRetried(slot: number): boolean {
    return (this.flags[slot]! & RETRIED) !== 0;
  }

  markSucceeded(slot: number): void {
    this.flags[slot]! |= SUCCEEDED;
  }

  /** Tasks that used a retry attempt, and how many of them succeeded. */
  retried(): { retried: number; succeeded: number } {
    let retried = 0;
    let succeeded = 0;
    for (const f of this.flags) {
      if (!(f & RETRIED)) continue;
      retried++;
      if (f & SUCCEEDED) succeeded++;
    }
    return { retried, succeeded };
  }

  setDuration(taskId: string, ms: number): void {
    const i = this.index.get(taskId);
    if (i !== undefined) this.durations[i] = ms;
  }

  duration(taskId: string): number | undefined {
    const i = this.index.get(taskId);
    const d = i === undefined ? Number.NaN : this.durations[i]!;
    return Number.isNaN(d) ? undefined : d;
  }
}
