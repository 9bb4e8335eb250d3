import { accountLimits } from '../config/accounts.ts';
import type { FleetConfig, PlanConfig } from '../config/schema.ts';
import type { EngineEventBody } from '../events.ts';
import type { EngineClock } from '../ports/clock.ts';
import type { ProviderError } from '../ports/gateway.ts';
import type { AccountSignal } from '../ports/limits.ts';
import { rebaseLevel, recordOutcome } from '../policy/degradation.ts';
import { classifyError } from '../policy/retry.ts';
import { AccountHealth } from './accountHealth.ts';
import type { UserEntry } from './records.ts';
import type { ProviderGate } from './supervisorMachine.ts';

export interface HealthOptions {
  clock: EngineClock;
  config: FleetConfig;
  publish: (body: EngineEventBody) => void;
  share: (accountId: string, signal: AccountSignal) => void;
  /** An account takes createTask calls again (a throttle ran out, an operator resumed). */
  onOpen: () => void;
}

/**
 * Health control: each KIE account's health (gate, adaptive running cap: see accountHealth.ts), the global cap
 * they add up to, and each user's degraded concurrency level.
 */
export class HealthControl {
  /** Every account this supervisor has known: one dropped from the config keeps serving its running jobs. */
  readonly accounts = new Map<string, AccountHealth>();
  /** The configured accounts in config order, kept from one reconfigure to the next (admission reads them often). */
  private inConfig: readonly AccountHealth[] = [];

  constructor(private readonly options: HealthOptions) {
    this.reconfigure(options.config);
  }

  account(accountId: string): AccountHealth | undefined {
    return this.accounts.get(accountId);
  }

  /** The configured accounts (those new tasks may take), in config order. */
  configured(): readonly AccountHealth[] {
    return this.inConfig;
  }

  /** One word for all accounts: healthy while any takes creates; halted when every one is. */
  gateState(): ProviderGate {
    const states = this.configured().map((a) => a.gateState());
    if (states.includes('healthy')) return 'healthy';
    return states.every((s) => s === 'halted') ? 'halted' : 'throttled';
  }

  isOpen(): boolean {
    for (const account of this.inConfig) if (account.isOpen()) return true;
    return false;
  }

  /** The global cap in force: config maxRunning, or the accounts' levels when lower (lowered while KIE struggles). */
  get providerLimit(): number {
    let sum = 0;
    for (const account of this.inConfig) sum += account.level;
    return Math.min(this.options.config.provider.maxRunning, sum);
  }

  /** An account-level error on one of the account's calls. */
  trouble(accountId: string | null, error: ProviderError, plan: PlanConfig): void {
    if (accountId !== null) this.accounts.get(accountId)?.trouble(error, plan);
  }

  /** After a halt, an operator resumes every halted account. */
  resume(): void {
    for (const account of this.accounts.values()) account.resume();
  }

  /**
   * Feeds an attempt's outcome to its user's degradation control and to its account's cap.
   * Refusals and bad requests say nothing about provider health.
   */
  outcome(user: UserEntry, plan: PlanConfig, accountId: string | null, failed: boolean, error?: ProviderError | null): void {
    if (failed && error && classifyError(error).kind !== 'retry') return;
    const forUser = recordOutcome(user.degradation, failed, plan.concurrency, plan.degradation);
    user.degradation = forUser.state;
    if (forUser.change) this.options.publish({ type: 'concurrency.changed', userId: user.userId, ...forUser.change });
    const { maxRunning, degradation } = this.options.config.provider;
    if (accountId !== null) this.accounts.get(accountId)?.outcome(failed, maxRunning, degradation);
  }

  /** A user's plan changed (or its config did): an undegraded user follows it, a degraded one keeps its level. */
  rebaseUser(user: UserEntry, plan: PlanConfig, oldConcurrency: number): void {
    const from = user.degradation.level;
    user.planId = plan.id;
    user.degradation = rebaseLevel(user.degradation, oldConcurrency, plan.concurrency);
    if (user.degradation.level !== from) {
      this.options.publish({ type: 'concurrency.changed', userId: user.userId, from, to: user.degradation.level, reason: 'config' });
    }
  }

  /** A new config: accounts follow their caps the same way; new accounts join. */
  reconfigure(config: FleetConfig): void {
    const oldMax = this.options.config.provider.maxRunning;
    this.options.config = config;
    for (const limits of accountLimits(config.provider)) {
      const known = this.accounts.get(limits.id);
      if (known) known.reconfigure(limits, oldMax, config.provider.maxRunning);
      else this.accounts.set(limits.id, new AccountHealth(limits, config.provider.maxRunning, this.options));
    }
    this.inConfig = config.provider.accounts.map((a) => this.accounts.get(a.id)!);
  }

  stop(): void {
    for (const account of this.accounts.values()) account.stop();
  }
}
