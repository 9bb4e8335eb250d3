import { SimulatedClock } from 'xstate';

/**
 * XState's SimulatedClock, plus knowledge of when its next timer is due, so tests can jump from
 * event to event instead of ticking through hours of virtual time.
 */
export class SteppingClock extends SimulatedClock {
  private readonly due = new Map<number, number>();

  override setTimeout(fn: (...args: any[]) => void, timeout: number): number {
    let id = -1;
    id = super.setTimeout(() => {
      this.due.delete(id);
      fn();
    }, timeout);
    this.due.set(id, this.now() + timeout);
    return id;
  }

  override clearTimeout(id: number): void {
    this.due.delete(id);
    super.clearTimeout(id);
  }

  nextDue(): number | undefined {
    let min: number | undefined;
    for (const at of this.due.values()) if (min === undefined || at < min) min = at;
    return min;
  }
}

/** Lets every pending promise (gateway answers, promise actors) settle. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs virtual time forward, timer by timer, until `done()` or nothing is left to happen. */
export async function runUntil(clock: SteppingClock, done: () => boolean, maxSteps = 200_000): Promise<void> {
  for (let step = 0; step < maxSteps; step++) {
    await settle();
    if (done()) return;
    const next = clock.nextDue();
    if (next === undefined) throw new Error(`stuck at t=${clock.now()}: nothing scheduled and not done`);
    clock.set(Math.max(next, clock.now()));
  }
  throw new Error(`no end after ${maxSteps} steps`);
}
