import { createActor, type Actor } from 'xstate';
import type { FleetConfig, PlanConfig } from '../config/schema.ts';
import type { EngineEventBody } from '../events.ts';
import type { EngineClock } from '../ports/clock.ts';
import type { ProviderError } from '../ports/gateway.ts';
import { initialDegradation, rebaseLevel, recordOutcome, type DegradationState } from '../policy/degradation.ts';
import { classifyError, throttleDelayMs } from '../policy/retry.ts';
import type { UserEntry } from './records.ts';
import { supervisorMachine, type ProviderGate } from './supervisorMachine.ts';

export interface HealthOptions {
  clock: EngineClock;
  config: FleetConfig;
  publish: (body: EngineEventBody) => void;
  /** The provider takes createTask calls again (a throttle ran out, an operator resumed). */
  onOpen: () => void;
}

/**
 * Health control: whether the provider takes createTask calls (the gate statechart: throttled, halted), the
 * adaptive global cap (AIMD over every user's outcomes) and each user's degraded concurrency level.
 */
export class HealthControl {
  private readonly gate: Actor<typeof supervisorMachine>;
  /** AIMD state of the global cap. */
  private provider: DegradationState;
  /** Consecutive throttles since the last accepted create: the wait doubles with each. */
  private throttles = 0;

  constructor(private readonly options: HealthOptions) {
    this.provider = initialDegradation(options.config.provider.maxRunning);
    this.gate = createActor(supervisorMachine, { clock: options.clock, input: { now: () => options.clock.now() } });
    let previous: ProviderGate = 'healthy';
    this.gate.subscribe((snapshot) => {
      const value = snapshot.value as ProviderGate;
      if (value === previous) return;
      const from = previous;
      previous = value;
      if (value === 'healthy') {
        if (from === 'halted') options.publish({ type: 'provider.resumed' });
        options.onOpen();
      }
    });
    this.gate.start();
  }

  gateState(): ProviderGate {
    return this.gate.getSnapshot().value as ProviderGate;
  }

  isOpen(): boolean {
    return this.gateState() === 'healthy';
  }

  /** The global cap in force: config maxRunning, lowered while KIE struggles. */
  get providerLimit(): number {
    return this.provider.level;
  }

  /** KIE accepted a create: throttling is over. */
  accepted(): void {
    this.throttles = 0;
  }

  /** An account-level error on a call: a throttle closes the gate for a while, a halt until an operator resumes. */
  trouble(error: ProviderError, plan: PlanConfig): void {
    const decision = classifyError(error);
    if (decision.kind === 'halt') {
      if (this.gateState() !== 'halted') {
        this.options.publish({ type: 'provider.halted', code: error.code, message: error.message });
        this.gate.send({ type: 'HALT', error });
      }
      return;
    }
    if (decision.kind !== 'throttle') return;
    this.throttles++;
    const untilAt = this.options.clock.now() + throttleDelayMs(this.throttles, plan.retry, decision.retryAfterMs);
    this.options.publish({ type: 'provider.throttled', code: error.code, untilAt });
    this.gate.send({ type: 'THROTTLE', untilAt });
  }

  resume(): void {
    this.gate.send({ type: 'RESUME' });
  }

  /**
   * Feeds an attempt's outcome to its user's degradation control and to the global cap's.
   * Refusals and bad requests say nothing about provider health.
   */
  outcome(user: UserEntry, plan: PlanConfig, failed: boolean, error?: ProviderError | null): void {
    if (failed && error && classifyError(error).kind !== 'retry') return;
    const forUser = recordOutcome(user.degradation, failed, plan.concurrency, plan.degradation);
    user.degradation = forUser.state;
    if (forUser.change) this.options.publish({ type: 'concurrency.changed', userId: user.userId, ...forUser.change });
    const { maxRunning, degradation } = this.options.config.provider;
    const global = recordOutcome(this.provider, failed, maxRunning, degradation);
    this.provider = global.state;
    if (global.change) this.options.publish({ type: 'provider.limitChanged', ...global.change });
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

  /** A new config: the global cap follows maxRunning the same way. */
  reconfigure(config: FleetConfig): void {
    const oldMaxRunning = this.options.config.provider.maxRunning;
    this.options.config = config;
    const from = this.provider.level;
    this.provider = rebaseLevel(this.provider, oldMaxRunning, config.provider.maxRunning);
    if (this.provider.level !== from) this.options.publish({ type: 'provider.limitChanged', from, to: this.provider.level, reason: 'config' });
  }

  stop(): void {
    this.gate.stop();
  }
}
