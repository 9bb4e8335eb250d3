import { CreateWindow, type PermitAnswer } from '@clipfleet/engine';

/** What a permit is decided on: the shared rows as one locked transaction read them. */
export interface PermitFacts {
  now: number;
  workerId: string;
  /** The global cap in force: config maxRunning, or the accounts' shared AIMD levels when they add up to less. */
  cap: number;
  account: {
    createLimit: number;
    windowMs: number;
    maxRunning: number | null;
    throttledUntil: number;
    throttleCode: number | null;
    halt: { code: number; message: string } | null;
  };
  /** Engine-clock times of the account's answered creates (the time of the answer), oldest first. */
  creates: readonly number[];
  /** The account's creates granted and not answered yet (on live workers): they count whatever their age. */
  unanswered: number;
  /** Running slots by worker and account. */
  slots: readonly { workerId: string; accountId: string; count: number }[];
  accountId: string;
  /** Live workers' users with work (this worker's included). */
  workers: readonly { workerId: string; activeUsers: number }[];
  /** How soon a full cap or share is asked again (a slot frees when some job ends, at no known time). */
  recheckMs: number;
}

/** A worker's fair share of the cap: proportional to its users with work (at least one slot while it has any). */
export function fairShare(cap: number, activeUsers: number, totalActive: number): number {
  return totalActive <= 0 ? cap : Math.max(1, Math.floor((cap * activeUsers) / totalActive));
}

/**
 * The permit rule, pure: the account's gate, its createTask window, the global cap and the account's own, and
 * the worker's fair share of the cap. The share holds a worker back only while another live worker with users
 * waiting is below its own share: a cap nobody else wants is used whole (work-conserving, like the per-user
 * round robin inside one worker).
 */
export function decidePermit(f: PermitFacts): PermitAnswer {
  const { now, account } = f;
  if (account.halt) return { granted: false, reason: 'halted', code: account.halt.code, message: account.halt.message, retryAt: now + f.recheckMs };
  if (account.throttledUntil > now) return { granted: false, reason: 'throttled', code: account.throttleCode ?? 429, retryAt: account.throttledUntil };
  const freeAt = CreateWindow.freeAt(f.creates, f.unanswered, account.createLimit, account.windowMs, now);
  if (freeAt > now) return { granted: false, reason: 'window', retryAt: freeAt };
  const sum = (pick: (s: PermitFacts['slots'][number]) => boolean) => f.slots.reduce((n, s) => (pick(s) ? n + s.count : n), 0);
  const running = sum(() => true);
  const recheck = { granted: false, retryAt: now + f.recheckMs } as const;
  if (running >= f.cap) return { ...recheck, reason: 'running' };
  if (account.maxRunning !== null && sum((s) => s.accountId === f.accountId) >= account.maxRunning) return { ...recheck, reason: 'running' };
  const totalActive = f.workers.reduce((n, w) => n + w.activeUsers, 0);
  const shareOf = (w: { workerId: string; activeUsers: number }) => fairShare(f.cap, w.activeUsers, totalActive);
  const me = f.workers.find((w) => w.workerId === f.workerId);
  if (me && sum((s) => s.workerId === f.workerId) >= shareOf(me)) {
    const starved = f.workers.some((w) => w.workerId !== f.workerId && w.activeUsers > 0 && sum((s) => s.workerId === w.workerId) < shareOf(w));
    if (starved) return { ...recheck, reason: 'share' };
  }
  return { granted: true };
}
