/** Calls under way, counted by user: a user moves to another worker only while none of theirs is (rebalancing). */
export class InFlightByUser {
  private readonly byUser = new Map<string, number>();

  /** Counts `run` under the user until it settles. */
  async track<T>(userId: string, run: () => Promise<T>): Promise<T> {
    this.byUser.set(userId, this.of(userId) + 1);
    try {
      return await run();
    } finally {
      const left = this.of(userId) - 1;
      if (left > 0) this.byUser.set(userId, left);
      else this.byUser.delete(userId);
    }
  }

  of(userId: string): number {
    return this.byUser.get(userId) ?? 0;
  }
}
