import type { AccountLimits } from '../config/accounts.ts';

/**
 * The submit permit: the engine asks it before every createTask. In one process it is the createTask window of
 * each account (batch/localLimits.ts); with several processes on one database it is a transaction that holds
 * each account's window, the global cap on running jobs and the provider gate exactly across all of them
 * (packages/api/src/limits/). A denial is not the provider's throttle: it never counts as a failure.
 */
export interface ProviderLimits {
  /** The global cap and the accounts with their caps (at start and after every config change). */
  configure(limits: { maxRunning: number; accounts: AccountLimits[] }): void;
  /**
   * What this process may plan with now, without I/O: creates the account's window leaves as far as it knows,
   * and when the next one frees (`now` when one is free).
   */
  room(accountId: string, now: number): AccountRoom;
  /**
   * Takes a create on the account (and a running slot) for the task's attempt, or says when to ask again. The
   * create counts in the window until `created` says how it went, however long the call takes.
   */
  acquire(request: PermitRequest): PermitAnswer | Promise<PermitAnswer>;
  /**
   * The task's createTask came back: KIE counted it on arrival, at the latest now, so the window counts it for one
   * window from `at`; one that certainly never reached KIE frees its place at once.
   */
  created(outcome: CreateOutcome): void;
  /**
   * The task's job stopped running at KIE (ended, retried, paused, refused): its running slot is free. By then its
   * createTask has come back, so a create still booked for it was never sent (a permit given back): it is freed.
   */
  release(taskId: string): void;
  /** This process changed the account's gate or level: other processes see it through their permits. */
  share(accountId: string, signal: AccountSignal): void;
}

export interface AccountRoom {
  creates: number;
  nextAt: number;
}

export interface PermitRequest {
  accountId: string;
  taskId: string;
  userId: string;
  attempt: number;
  /** Engine-clock time (every process runs the same clock). */
  now: number;
  /** Users with work in this process: its fair share of the global cap follows them. */
  activeUsers: number;
}

export type PermitDenial =
  /** The account's window, the global cap or this process's share of it is full. */
  | { granted: false; reason: 'window' | 'running' | 'share'; retryAt: number }
  /** Another process was throttled on the account (429/455) until `retryAt`. */
  | { granted: false; reason: 'throttled'; retryAt: number; code: number }
  /** Another process was refused on the account (401/402/433): nothing is sent until an operator resumes. */
  | { granted: false; reason: 'halted'; retryAt: number; code: number; message: string };

export type PermitAnswer = { granted: true } | PermitDenial;

/** How a permitted createTask went, as far as KIE's window is concerned. */
export interface CreateOutcome {
  accountId: string;
  taskId: string;
  attempt: number;
  /** Engine-clock time the answer came (or the call gave up). */
  at: number;
  /** False only when the call certainly never reached KIE (the host could not record the attempt first). */
  reached: boolean;
}

/** A change of an account's shared state. */
export type AccountSignal =
  | { kind: 'throttled'; untilAt: number; code: number }
  | { kind: 'halted'; code: number; message: string }
  | { kind: 'resumed' }
  /** The AIMD level (the account's running cap in force) moved. */
  | { kind: 'level'; level: number };
