import type { AccountLimits } from '../config/accounts.ts';
import type { AccountRoom, PermitAnswer, PermitRequest, ProviderLimits } from '../ports/limits.ts';
import { SlidingWindowLimiter } from '../policy/rateLimit.ts';

/**
 * The submit permit of a single process: each account's createTask window, kept in memory. The global cap and
 * the gates need nothing more here (this process sees every job), so release and share have nothing to do.
 */
export class LocalLimits implements ProviderLimits {
  private readonly windows = new Map<string, SlidingWindowLimiter>();

  configure({ accounts }: { accounts: AccountLimits[] }): void {
    for (const a of accounts) {
      const known = this.windows.get(a.id);
      if (known) known.reconfigure(a.createLimit, a.windowMs);
      else this.windows.set(a.id, new SlidingWindowLimiter(a.createLimit, a.windowMs));
    }
  }

  room(accountId: string, now: number): AccountRoom {
    const window = this.window(accountId);
    return { creates: window.free(now), nextAt: window.nextFreeAt(now) };
  }

  acquire({ accountId, now }: PermitRequest): PermitAnswer {
    const window = this.window(accountId);
    return window.tryTake(now) ? { granted: true } : { granted: false, reason: 'window', retryAt: window.nextFreeAt(now) };
  }

  release(): void {}

  share(): void {}

  private window(accountId: string): SlidingWindowLimiter {
    const window = this.windows.get(accountId);
    if (!window) throw new Error(`unknown KIE account "${accountId}"`);
    return window;
  }
}
