import type { WireAnswers } from './answers.ts';
import type { SimJob } from './jobs.ts';
import { streamFor } from './rng.ts';
import { stateAt } from './timeline.ts';
import type { KieRecord, KieResponse } from './wire.ts';

/** The time source callbacks are scheduled on (the simulator's clock). */
interface CallbackClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
}

/** Receives a callback body in the job's family shape (Market: recordInfo's; Veo: its own). */
export type CallbackListener = (job: SimJob, body: KieResponse<unknown>) => void;

/**
 * KIE's callbacks: one when a job ends (lost at the fault profile's rate), and Sora's progress callbacks while it
 * generates. Listeners are kept copy-on-write, so one may unsubscribe while a delivery is under way.
 */
export class Callbacks {
  private listeners: CallbackListener[] = [];
  private progressListeners: CallbackListener[] = [];
  sent = 0;
  lost = 0;

  constructor(
    private readonly clock: CallbackClock,
    private readonly seed: number,
    private readonly lostRate: number,
    private readonly delayMs: [number, number],
    private readonly answers: WireAnswers,
  ) {}

  /** Registers a receiver for end callbacks. Returns an unsubscribe. */
  onEnd(listener: CallbackListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => (this.listeners = without(this.listeners, listener));
  }

  /** Registers a receiver for progress callbacks. Returns an unsubscribe. */
  onProgress(listener: CallbackListener): () => void {
    this.progressListeners = [...this.progressListeners, listener];
    return () => (this.progressListeners = without(this.progressListeners, listener));
  }

  /** The end callback, after a seeded delay past completion (or never, for a lost one). */
  scheduleEnd(job: SimJob): void {
    const rng = streamFor(this.seed, 'callback/', job.key);
    const lost = rng.chance(this.lostRate);
    const delay = Math.round(rng.between(this.delayMs[0], this.delayMs[1]));
    const plannedComplete = job.completeAt;
    this.clock.setTimeout(
      () => {
        if (job.completeAt !== plannedComplete && job.completeAt > this.clock.now()) return; // moved later: not finished yet
        if (lost) {
          this.lost++;
          return;
        }
        this.sent++;
        const body = this.answers.callbackBody(job, Math.max(this.clock.now(), job.completeAt));
        for (const listener of this.listeners) listener(job, body);
      },
      Math.max(0, job.completeAt - this.clock.now()) + delay,
    );
  }

  /** Progress callbacks when generation starts and at 25 / 50 / 75 % of it. */
  scheduleProgress(job: SimJob): void {
    const now = this.clock.now();
    for (const quarter of [0, 1, 2, 3]) {
      const at = job.generatingAt + Math.round((quarter / 4) * (job.completeAt - job.generatingAt));
      this.clock.setTimeout(() => {
        // A job failed early (or forced to fail) sends no more progress.
        const t = this.clock.now();
        if (stateAt(job, t) !== 'generating') return;
        const body: KieResponse<KieRecord> = { code: 200, msg: 'success', data: this.answers.recordOf(job, t) };
        for (const listener of this.progressListeners) listener(job, body);
      }, Math.max(0, at - now));
    }
  }
}

/** The list without the first occurrence of `item` (a new array: deliveries under way keep theirs). */
function without<T>(list: T[], item: T): T[] {
  const i = list.indexOf(item);
  return i < 0 ? list : [...list.slice(0, i), ...list.slice(i + 1)];
}
