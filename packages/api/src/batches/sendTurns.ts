/**
 * Takes turns at sending progress (a replayed page read and parsed, or a chunk of live events) across every
 * progress stream of the process, a few at a time, first come first served, with the event loop given back
 * between turns. Without it, 200 subscribers joining a long log at once each did a page per loop iteration, and
 * 200 live subscribers woken by one committed write each sent a chunk in the same burst of microtasks: an
 * iteration took hundreds of milliseconds and every other request (me.get) waited that long. With it, each
 * iteration does a bounded amount of sending whatever the number of streams, and the streams advance
 * round-robin. A stream's first page goes ahead of the others' next pages: a subscriber joining a crowd is
 * connected within a turn or two, not a whole round.
 */
export class SendTurns {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly newcomers: Array<() => void> = [];

  constructor(private readonly concurrency = 2) {}

  /** A turn with nothing to read first: what the caller sends right after it resolves is what the turn covers. */
  async turn(opts: { first?: boolean } = {}): Promise<void> {
    await this.run(async () => undefined, opts);
  }

  async run<T>(work: () => Promise<T>, opts: { first?: boolean } = {}): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((resolve) => (opts.first ? this.newcomers : this.waiting).push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      // The turn ends in the event loop's next check phase, not now: it covers what the caller does with the
      // page in the microtasks that follow (tRPC serializes, encodes and writes it to the socket), which took the
      // whole cost of a replay. Ending it at once let a stream whose socket had room take turn after turn within
      // one burst of microtasks and send its whole log while the loop accepted no connection and answered no
      // request. Passed on here, each loop iteration carries a bounded number of pages, and I/O runs in between.
      setImmediate(() => {
        const next = this.newcomers.shift() ?? this.waiting.shift();
        if (next) next();
        else this.active--;
      });
    }
  }
}
