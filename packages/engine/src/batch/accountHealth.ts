import { createActor, type Actor } from 'xstate';
import type { AccountLimits } from '../config/accounts.ts';
import type { DegradationConfig, PlanConfig } from '../config/schema.ts';
import type { EngineEventBody } from '../events.ts';
import type { EngineClock } from '../ports/clock.ts';
import type { ProviderError } from '../ports/gateway.ts';
import type { AccountSignal, PermitDenial } from '../ports/limits.ts';
import { initialDegradation, rebaseLevel, recordOutcome, type DegradationState } from '../policy/degradation.ts';
import { classifyError, throttleDelayMs } from '../policy/retry.ts';
import { supervisorMachine, type ProviderGate } from './supervisorMachine.ts';

export interface AccountHealthOptions {
  clock: EngineClock;
  publish: (body: EngineEventBody) => void;
  /** Tells the other processes (the shared limits) what this one learned about the account. */
  share: (accountId: string, signal: AccountSignal) => void;
  /** The account takes createTask calls again (a throttle ran out, an operator resumed). */
  onOpen: () => void;
}

/**
 * One KIE account's health: whether it takes createTask calls (the gate statechart: throttled, halted), its
 * adaptive running cap (AIMD over the outcomes of the jobs it ran) and the jobs it holds now. A task holds its
 * account from the permit until its attempt ends.
 */
export class AccountHealth {
  private readonly gate: Actor<typeof supervisorMachine>;
  private aimd: DegradationState;
  /** Consecutive throttles since the last accepted create: the wait doubles with each. */
  private throttles = 0;
  /** Tasks holding this account: permit asked, submitting or polling. */
  running = 0;
  /** A permit denial said the account is full until then (the window is shared with other processes). */
  blockedUntil = 0;

  constructor(
    public limits: AccountLimits,
    /** The global cap: the account's own cap when it has none. */
    providerMax: number,
    private readonly options: AccountHealthOptions,
  ) {
    this.aimd = initialDegradation(this.capOf(providerMax));
    const { clock } = options;
    this.gate = createActor(supervisorMachine, { clock, input: { now: () => clock.now() } });
    let previous: ProviderGate = 'healthy';
    this.gate.subscribe((snapshot) => {
      const value = snapshot.value as ProviderGate;
      if (value === previous) return;
      const from = previous;
      previous = value;
      if (value === 'healthy') {
        if (from === 'halted') options.publish({ type: 'provider.resumed', accountId: this.id });
        options.onOpen();
      }
    });
    this.gate.start();
  }

  get id(): string {
    return this.limits.id;
  }

  /** The cap the AIMD level moves under: the account's own, else the global one. */
  capOf(providerMax: number): number {
    return this.limits.maxRunning ?? providerMax;
  }

  gateState(): ProviderGate {
    return this.gate.getSnapshot().value as ProviderGate;
  }

  isOpen(): boolean {
    return this.gateState() === 'healthy';
  }

  /** The running cap in force: the account's cap (or the global one), lowered while its jobs fail. */
  get level(): number {
    return this.aimd.level;
  }

  /**
   * Whether a task may take this account now (the window is the permit's business). Its own cap is hard; its
   * AIMD level lowers the global cap the tasks are admitted under (as one account's level always did) and
   * steers the spread (permits.ts), so a job already admitted is not held back from KIE twice.
   */
  hasRoom(now: number): boolean {
    return this.isOpen() && this.running < this.slots() && this.blockedUntil <= now;
  }

  /** Jobs this account may hold: its own cap (none: the global cap bounds it). */
  slots(): number {
    return this.limits.maxRunning ?? Number.POSITIVE_INFINITY;
  }

  /** How full the account is against its level (the spread prefers the emptiest). */
  load(): number {
    return this.running / this.level;
  }

  accepted(): void {
    this.throttles = 0;
  }

  /** An account-level error on a call: a throttle closes the gate for a while, a halt until an operator resumes. */
  trouble(error: ProviderError, plan: PlanConfig): void {
    const decision = classifyError(error);
    if (decision.kind === 'halt') return this.halt(error.code, error.message, true);
    if (decision.kind !== 'throttle') return;
    this.throttles++;
    this.throttle(this.options.clock.now() + throttleDelayMs(this.throttles, plan.retry, decision.retryAfterMs), error.code, true);
  }

  /** A permit was denied: the account is full for a while, or another process found it throttled or halted. */
  denied(denial: PermitDenial): void {
    if (denial.reason === 'halted') this.halt(denial.code, denial.message, false);
    else if (denial.reason === 'throttled') this.throttle(denial.retryAt, denial.code, false);
    else this.blockedUntil = Math.max(this.blockedUntil, denial.retryAt);
  }

  private throttle(untilAt: number, code: number, own: boolean): void {
    if (this.gateState() === 'halted') return;
    this.options.publish({ type: 'provider.throttled', accountId: this.id, code, untilAt });
    this.gate.send({ type: 'THROTTLE', untilAt });
    if (own) this.options.share(this.id, { kind: 'throttled', untilAt, code });
  }

  private halt(code: number, message: string, own: boolean): void {
    if (this.gateState() === 'halted') return;
    this.options.publish({ type: 'provider.halted', accountId: this.id, code, message });
    this.gate.send({ type: 'HALT', error: { code, message } });
    if (own) this.options.share(this.id, { kind: 'halted', code, message });
  }

  resume(): void {
    if (this.gateState() !== 'halted') return;
    this.options.share(this.id, { kind: 'resumed' });
    this.gate.send({ type: 'RESUME' });
  }

  /** An attempt on this account ended: AIMD over its outcomes (refusals say nothing about health: filtered by the caller). */
  outcome(failed: boolean, providerMax: number, degradation: DegradationConfig): void {
    const next = recordOutcome(this.aimd, failed, this.capOf(providerMax), degradation);
    this.aimd = next.state;
    if (next.change) this.levelChanged(next.change);
  }

  /** New caps: an undegraded account follows them, a degraded one keeps its level. */
  reconfigure(limits: AccountLimits, oldProviderMax: number, providerMax: number): void {
    const oldCap = this.capOf(oldProviderMax);
    this.limits = limits;
    const from = this.aimd.level;
    this.aimd = rebaseLevel(this.aimd, oldCap, this.capOf(providerMax));
    if (this.aimd.level !== from) this.levelChanged({ from, to: this.aimd.level, reason: 'config' });
  }

  private levelChanged(change: { from: number; to: number; reason: 'degraded' | 'recovered' | 'config' }): void {
    this.options.publish({ type: 'provider.limitChanged', accountId: this.id, ...change });
    this.options.share(this.id, { kind: 'level', level: change.to });
  }

  stop(): void {
    this.gate.stop();
  }
}
