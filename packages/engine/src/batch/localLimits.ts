import type { AccountLimits } from '../config/accounts.ts';
import type { AccountRoom, CreateOutcome, PermitAnswer, PermitRequest, ProviderLimits } from '../ports/limits.ts';
import { CreateWindow } from '../policy/createWindow.ts';

/**
 * The submit permit of a single process: each account's createTask window, kept in memory, counting each create
 * as KIE does (policy/createWindow.ts). The global cap and the gates need nothing more here (this process sees
 * every job), so share has nothing to do.
 */
export class LocalLimits implements ProviderLimits {
  private readonly windows = new Map<string, CreateWindow>();
  /** The account of each task's booked create (release names only the task). */
  private readonly accountOf = new Map<string, string>();

  configure({ accounts }: { accounts: AccountLimits[] }): void {
    for (const a of accounts) {
      const known = this.windows.get(a.id);
      if (known) known.reconfigure(a.createLimit, a.windowMs);
      else this.windows.set(a.id, new CreateWindow(a.createLimit, a.windowMs));
    }
  }

  room(accountId: string, now: number): AccountRoom {
    const window = this.window(accountId);
    return { creates: window.free(now), nextAt: window.nextFreeAt(now) };
  }

  acquire({ accountId, taskId, now }: PermitRequest): PermitAnswer {
    const window = this.window(accountId);
    if (!window.tryBook(taskId, now)) return { granted: false, reason: 'window', retryAt: window.nextFreeAt(now) };
    this.accountOf.set(taskId, accountId);
    return { granted: true };
  }

  created({ accountId, taskId, at, reached }: CreateOutcome): void {
    this.windows.get(accountId)?.settle(taskId, at, reached);
    this.accountOf.delete(taskId);
  }

  release(taskId: string): void {
    const accountId = this.accountOf.get(taskId);
    if (accountId === undefined) return;
    this.windows.get(accountId)?.withdraw(taskId);
    this.accountOf.delete(taskId);
  }

  share(): void {}

  private window(accountId: string): CreateWindow {
    const window = this.windows.get(accountId);
    if (!window) throw new Error(`unknown KIE account "${accountId}"`);
    return window;
  }
}
