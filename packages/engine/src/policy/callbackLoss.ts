/**
 * How often KIE's completion callbacks go missing, learned from the jobs KIE finished: a success the engine
 * confirmed without having heard a callback (and that none arrives for within a grace period afterwards,
 * callbacks may trail the poll that found the result) counts as one lost callback. The prior (20 %) is above
 * what the backstop tolerates, so trust is earned: after a start, jobs poll normally until 15 callbacks in a row
 * have arrived (under 30 % losses that happens by chance 0.5 % of the time). A window of recent outcomes lets
 * the estimate follow a change (a proxy that starts dropping them).
 *
 * Tasks resumed after a restart may have had their callback sent while the host was down: until a callback
 * for one of them is heard, it is treated as certain to be lost (it polls on the normal schedule).
 */
export interface CallbackLossOptions {
  /** Recent outcomes the estimate is taken over. */
  window: number;
  /** Pseudo-counts of the prior: lost and heard callbacks assumed before any is seen. */
  priorLost: number;
  priorHeard: number;
  /** How long after a poll found a job finished its callback still counts as heard. */
  graceMs: number;
}

export const CALLBACK_LOSS_DEFAULTS: CallbackLossOptions = { window: 50, priorLost: 1, priorHeard: 4, graceMs: 60_000 };

/** Bound on the remote ids remembered while they wait for a late callback. */
const MAX_AWAITING = 10_000;

export class CallbackLossEstimator {
  /** Recent outcomes, oldest first: true for a lost callback. `first` is the absolute number of outcomes[0]. */
  private readonly outcomes: boolean[] = [];
  private first = 0;
  private lostInWindow = 0;
  /** Live attempts whose callback has been heard. */
  private readonly heardLive = new Set<string>();
  /** Attempts resumed after a restart that have not been heard from since. */
  private readonly resumedUnheard = new Set<string>();
  /**
   * Successes a poll found first: counted as lost at once (evidence of losses must not wait while evidence of
   * arrivals counts at once), turned into heard if the callback comes within the grace. Insertion order is
   * deadline order.
   */
  private readonly awaiting = new Map<string, { deadline: number; outcome: number }>();

  constructor(private readonly options: CallbackLossOptions = CALLBACK_LOSS_DEFAULTS) {}

  /** A callback for `remoteId` arrived; `live` says whether the attempt is still being watched. */
  heard(remoteId: string, live: boolean, now: number): void {
    const late = this.awaiting.get(remoteId);
    if (late) {
      this.awaiting.delete(remoteId);
      if (late.deadline > now) this.amend(late.outcome);
      return;
    }
    if (!live) return;
    this.heardLive.add(remoteId);
    this.resumedUnheard.delete(remoteId);
  }

  /** An attempt resumed after a restart: its callback may have been sent while nobody listened. */
  resumed(remoteId: string): void {
    this.resumedUnheard.add(remoteId);
  }

  /** KIE's status confirmed the job finished successfully. */
  confirmed(remoteId: string, now: number): void {
    const heard = this.heardLive.delete(remoteId);
    this.resumedUnheard.delete(remoteId);
    const outcome = this.record(!heard);
    if (heard) return;
    this.sweep(now);
    if (this.awaiting.size >= MAX_AWAITING) this.awaiting.delete(this.awaiting.keys().next().value!);
    this.awaiting.set(remoteId, { deadline: now + this.options.graceMs, outcome });
  }

  /** The attempt ended any other way (retry, failure, timeout, cancel): it says nothing about callbacks. */
  forget(remoteId: string): void {
    this.heardLive.delete(remoteId);
    this.resumedUnheard.delete(remoteId);
  }

  /** The chance that this attempt's callback is lost. */
  lossFor(remoteId: string | null, now: number): number {
    if (remoteId !== null && this.resumedUnheard.has(remoteId)) return 1;
    return this.rate(now);
  }

  /** The learned share of lost callbacks. */
  rate(now: number): number {
    this.sweep(now);
    const { priorLost, priorHeard } = this.options;
    return (this.lostInWindow + priorLost) / (this.outcomes.length + priorLost + priorHeard);
  }

  /** Late callbacks past their grace stay counted as lost. */
  private sweep(now: number): void {
    for (const [id, { deadline }] of this.awaiting) {
      if (deadline > now) return;
      this.awaiting.delete(id);
    }
  }

  /** A callback came after all: its outcome, if still in the window, was not a loss. */
  private amend(outcome: number): void {
    const i = outcome - this.first;
    if (i < 0 || !this.outcomes[i]) return;
    this.outcomes[i] = false;
    this.lostInWindow--;
  }

  private record(lost: boolean): number {
    this.outcomes.push(lost);
    if (lost) this.lostInWindow++;
    if (this.outcomes.length > this.options.window) {
      if (this.outcomes.shift()) this.lostInWindow--;
      this.first++;
    }
    return this.first + this.outcomes.length - 1;
  }
}
