import type { EngineClock } from '@clipfleet/engine';
import { MinHeap } from './heap.ts';

/** Lets every pending promise continuation run: setImmediate fires only after the microtask queue is empty. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** With `settleWith: 'microtasks'`, the event loop still turns once per this many instants. */
const EVENT_LOOP_EVERY = 64;

/** A scheduled callback; setTimeout hands it out as the handle, so clearing needs no lookup table. */
class Timer {
  constructor(
    readonly at: number,
    readonly id: number,
    /** null once fired or cleared: the callback (often holding a finished task) is released at once. */
    public fn: ((...args: any[]) => void) | null,
  ) {}
}

/** What setTimeout returns: pass it to clearTimeout. */
export type TimerHandle = Timer;

export type RunStop = number | (() => boolean);

export interface RunOptions {
  /** Give up after this many timer firings (a guard against runaway loops). */
  maxSteps?: number;
  /**
   * Settle promises after every timer instead of after every distinct instant. Slower; only needed when
   * two timers due at the same instant must observe each other's asynchronous effects.
   */
  settleEachTimer?: boolean;
  /**
   * How promises settle between instants: `event-loop` (default) turns the event loop at every instant, so I/O
   * callbacks run too; `microtasks` drains promise continuations only and turns the loop every
   * EVENT_LOOP_EVERY instants, for runs whose inputs are all in process (a host serving requests meanwhile stays
   * responsive, and the run saves a loop turn, a poll syscall, per instant).
   */
  settleWith?: 'event-loop' | 'microtasks';
}

export interface RunResult {
  /** done: the predicate held; time: the target time was reached; idle: no timers left; maxSteps: guard hit. */
  reason: 'done' | 'time' | 'idle' | 'maxSteps';
  steps: number;
  now: number;
}

/**
 * A discrete-event clock for virtual-time runs of the engine. Timers live in a binary heap ordered by
 * (due time, timer id): ties fire in creation order, so a run is reproducible. `runUntil` jumps straight
 * to the next due timer instead of sleeping, and lets promises settle between instants so the engine's
 * promise actors (gateway calls) complete before time moves on. XState's SimulatedClock cannot tell
 * when its next timer is due, which is why this exists.
 */
export class DiscreteEventClock implements EngineClock {
  private time: number;
  private nextId = 1;
  /** Ordered by due time, ties in creation (id) order, so a run is reproducible. */
  private heap = new MinHeap<Timer>((timer) => timer.at);
  /** Timers scheduled and neither fired nor cleared (cleared ones stay in the heap until they surface). */
  private live = 0;
  /** Timers fired so far (the benchmark reports it as simulation events). */
  fired = 0;

  constructor(startMs = 0) {
    this.time = startMs;
  }

  now(): number {
    return this.time;
  }

  setTimeout(fn: (...args: any[]) => void, timeout: number): TimerHandle {
    const delay = Number.isFinite(timeout) && timeout > 0 ? timeout : 0;
    const timer = new Timer(this.time + delay, this.nextId++, fn);
    this.live++;
    this.heap.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    if (!(handle instanceof Timer) || handle.fn === null) return;
    // Lazy deletion: the heap entry is skipped when it reaches the top. The callback goes now: it holds the
    // (often finished) task, which would otherwise stay reachable until the entry surfaces, up to a
    // 15-minute timeout later.
    handle.fn = null;
    this.live--;
  }

  /** Timers still scheduled. */
  pending(): number {
    return this.live;
  }

  /** When the earliest live timer is due, or undefined when none is scheduled. */
  nextDueAt(): number | undefined {
    this.dropCancelledTop();
    return this.heap.peek()?.at;
  }

  /**
   * Fires every timer due at the earliest instant (only those that existed when the instant began, in id
   * order), after moving the clock there. Returns how many fired.
   */
  fireNextInstant(limit = Infinity): number {
    this.dropCancelledTop();
    const first = this.heap.peek();
    if (!first) return 0;
    const instant = first.at;
    const createdBefore = this.nextId;
    this.time = Math.max(this.time, instant);
    let count = 0;
    while (count < limit) {
      this.dropCancelledTop();
      const top = this.heap.peek();
      if (!top || top.at !== instant || top.id >= createdBefore) break;
      this.heap.pop();
      const fn = top.fn!;
      top.fn = null;
      this.live--;
      count++;
      this.fired++;
      fn();
    }
    return count;
  }

  /** Moves time forward without firing anything (only allowed up to the next due timer). */
  advanceTo(time: number): void {
    const due = this.nextDueAt();
    if (due !== undefined && due < time) throw new Error(`cannot skip a timer due at ${due} when advancing to ${time}`);
    if (time > this.time) this.time = time;
  }

  /**
   * Runs the simulation: settle promises, check the stop condition, jump to the next instant, repeat.
   * `stop` is a predicate (checked after promises settle) or an absolute virtual time.
   *
   * Each instant costs one tick (or one immediate) and one microtask, and no promise: `step` runs as a
   * microtask, so the tick it queues runs only once every promise continuation it caused has run (Node runs
   * ticks after the microtask queue is drained), and the tick hands back to `step` through one more microtask.
   */
  runUntil(stop: RunStop, options: RunOptions = {}): Promise<RunResult> {
    const maxSteps = options.maxSteps ?? Infinity;
    const perInstant = options.settleEachTimer ? 1 : Infinity;
    const microtasksOnly = options.settleWith === 'microtasks';
    return new Promise((resolve, reject) => {
      let instants = 0;
      let steps = 0;
      const end = (reason: RunResult['reason']) => resolve({ reason, steps, now: this.time });
      const guarded = (body: () => void) => () => {
        try {
          body();
        } catch (error) {
          reject(error);
        }
      };
      const step = guarded(() => {
        if (typeof stop === 'function' && stop()) return end('done');
        const due = this.nextDueAt();
        // Something may still be settling (a promise chain that schedules after several hops): one more chance.
        if (due === undefined) return settleThen(resumeLastChance);
        if (typeof stop === 'number' && due > stop) {
          this.time = Math.max(this.time, stop);
          return end('time');
        }
        if (steps >= maxSteps) return end('maxSteps');
        steps += this.fireNextInstant(perInstant);
        settleThen(resumeStep);
      });
      const lastChance = guarded(() => {
        if (this.nextDueAt() !== undefined) return settleThen(resumeStep);
        if (typeof stop === 'number') this.time = Math.max(this.time, stop);
        end(typeof stop === 'function' && stop() ? 'done' : 'idle');
      });
      const resumeStep = () => queueMicrotask(step);
      const resumeLastChance = () => queueMicrotask(lastChance);
      const settleThen = (resume: () => void) => {
        if (microtasksOnly && ++instants % EVENT_LOOP_EVERY !== 0) process.nextTick(resume);
        else setImmediate(resume);
      };
      settleThen(resumeStep);
    });
  }

  private dropCancelledTop(): void {
    while (this.heap.peek()?.fn === null) this.heap.pop();
  }
}
