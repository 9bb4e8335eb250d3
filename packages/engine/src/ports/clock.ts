/**
 * The only source of time in the engine. It is XState's clock shape (so actors schedule `after`
 * transitions on it) plus `now()`: the engine also reads time (deadlines, elapsed, rate windows).
 * XState's `SimulatedClock` satisfies it, and so does the simulator's discrete-event clock.
 */
export interface EngineClock {
  setTimeout(fn: (...args: any[]) => void, timeout: number): any;
  clearTimeout(id: any): void;
  now(): number;
}
