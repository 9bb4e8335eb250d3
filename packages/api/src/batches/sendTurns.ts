/**
 * Takes turns at sending progress (a replayed page read and parsed, or a chunk of live events) across every
 * progress stream of the process, first come first served, with a bounded amount per round of the event loop.
 * Without it, 200 subscribers joining a long log at once each did a page per loop iteration, and 200 live
 * subscribers woken by one committed write each sent a chunk in the same burst of microtasks: an iteration took
 * hundreds of milliseconds and every other request (me.get) waited that long. With it, each round sends about
 * `perRound` events whatever the number of streams (a turn costs its events: many small live chunks share a
 * round, a full replay page has one to itself), and the streams advance round-robin. A stream's first page goes
 * ahead of the others' next ones: a subscriber joining a crowd is connected within a round or two.
 *
 * A round ends in the event loop's next check phase, not when the work resolves: it covers what the caller does
 * with the events in the microtasks that follow (the SSE responder serializes them and writes them to the socket), which
 * is the whole cost of sending. Ending it at once let a stream whose socket had room take turn after turn within
 * one burst of microtasks and send its whole log while the loop accepted no connection and answered no request.
 */
/** Events sent per round of the event loop, all streams together (sized when tRPC wrote each message: about 5 ms of its work; the own responder costs less). */
export const SEND_ROUND_EVENTS = 256;

export class SendTurns {
  private spent = 0;
  private round = 0;
  private roundOpen = false;
  private readonly waiting: Array<{ cost: number; go: () => void }> = [];
  private readonly newcomers: Array<{ cost: number; go: () => void }> = [];

  constructor(private readonly perRound = SEND_ROUND_EVENTS) {}

  /**
   * Runs `work` in a turn costing `cost` events (default 1); what the caller sends right after is covered by it.
   * `used` tells what the turn really cost once the work is done: what is left of it (a replay page shorter than a
   * full one) goes to the next streams waiting, in the same round; what it took beyond (a page asked for as shared
   * that had to be read after all) is charged to the round, so the turns granted after it do not overfill it.
   */
  async run<T>(work: () => Promise<T>, opts: { first?: boolean; cost?: number; used?: (result: T) => number } = {}): Promise<T> {
    const cost = opts.cost ?? 1;
    if (this.waiting.length + this.newcomers.length > 0 || !this.fits(cost)) {
      await new Promise<void>((go) => (opts.first ? this.newcomers : this.waiting).push({ cost, go }));
    } else this.take(cost);
    const round = this.round;
    const result = await work();
    const unused = opts.used ? cost - opts.used(result) : 0;
    if (unused !== 0 && round === this.round) {
      this.spent = Math.max(0, this.spent - unused);
      if (unused > 0) this.grant();
    }
    return result;
  }

  /** A turn with nothing to read first (`first`: ahead of the streams' next turns, as a stream's first page). */
  turn(cost: number, first = false): Promise<void> {
    return this.run(async () => undefined, { cost, first });
  }

  /** The first turn of a round always fits (a page bigger than a round still goes, alone). */
  private fits(cost: number): boolean {
    return this.spent === 0 || this.spent + cost <= this.perRound;
  }

  private take(cost: number): void {
    this.spent += cost;
    if (this.roundOpen) return;
    this.roundOpen = true;
    setImmediate(() => this.nextRound());
  }

  private nextRound(): void {
    this.roundOpen = false;
    this.spent = 0;
    this.round++;
    this.grant();
  }

  /** Grants the streams waiting, in order, as far as this round allows. */
  private grant(): void {
    for (;;) {
      const queue = this.newcomers.length > 0 ? this.newcomers : this.waiting;
      const next = queue[0];
      if (!next || !this.fits(next.cost)) return;
      queue.shift();
      this.take(next.cost);
      next.go();
    }
  }
}
