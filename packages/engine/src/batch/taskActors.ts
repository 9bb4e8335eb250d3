import { createActor, type Actor } from 'xstate';
import type { FleetConfig, PlanConfig } from '../config/schema.ts';
import type { EngineClock } from '../ports/clock.ts';
import type { KieGateway } from '../ports/gateway.ts';
import type { CallbackLossEstimator } from '../policy/callbackLoss.ts';
import { GenerationTimeEstimator } from '../policy/estimator.ts';
import { nextPollDelayMs } from '../policy/polling.ts';
import { retryBudget } from '../policy/retry.ts';
import { taskMachine, type TaskEmitted, type TaskMachine, type TaskMachineInput } from '../task/taskMachine.ts';
import type { TaskRecord, UserEntry } from './records.ts';

export interface TaskActorsOptions {
  clock: EngineClock;
  gateway: KieGateway;
  random?: (() => number) | undefined;
  estimator: GenerationTimeEstimator;
  /** With callbacks, how likely a job's callback is lost (the poll schedule follows it). */
  callbackLoss: CallbackLossEstimator;
  /** Whether failures lowered the global cap (the retry budget grows then). */
  providerDegraded: () => boolean;
  /** Everything a task's actor tells the supervisor. */
  onTaskEvent: (record: TaskRecord, event: TaskEmitted) => void;
}

/**
 * The running tasks: each admitted task is an independent root actor (children of one parent cost O(children)
 * per spawn and stop), holding its share of its user's capacity until it ends or is paused.
 */
export class TaskActors {
  /** Tasks with an actor. */
  running = 0;

  constructor(private readonly options: TaskActorsOptions) {}

  /**
   * Creates the task's actor with its plan's settings (fixed now: a hot reload affects the next ones); the caller
   * starts it. It holds `weight` of its user's capacity until it ends or is paused.
   */
  create(record: TaskRecord, user: UserEntry, plan: PlanConfig, config: FleetConfig, weight: number, start: TaskMachineInput['start'], attempt: number): Actor<TaskMachine> {
    const { spec } = record.facts;
    const { clock, gateway, random, estimator, callbackLoss } = this.options;
    record.weight = weight;
    user.capacityUsed += weight;
    user.running++;
    this.running++;
    const classKey = GenerationTimeEstimator.classKey(spec.model, spec.resolution, spec.durationSec);
    const callbacks = config.provider.callbacks;
    const degraded = () => user.degradation.level < plan.concurrency || this.options.providerDegraded();
    const actor = createActor(taskMachine, {
      clock,
      input: {
        spec,
        start,
        attempt,
        generationRetries: record.facts.generationRetries,
        remoteTaskId: record.facts.remoteTaskId,
        accountId: record.facts.accountId,
        submittedAt: record.facts.submittedAt,
        retryDueAt: record.facts.nextDueAt,
        runtime: {
          gateway,
          now: () => clock.now(),
          pollDelayMs: (elapsedMs) =>
            nextPollDelayMs(plan.polling, {
              elapsedMs,
              resolution: spec.resolution,
              expected: estimator.expected(classKey, spec.resolution),
              callbacks,
              callbackLossRate: callbacks ? callbackLoss.lossFor(record.facts.remoteTaskId, clock.now()) : 0,
            }),
          timeoutMs: plan.timeoutsMs[spec.resolution]!,
          notFoundGraceMs: plan.polling.notFoundGraceMs,
          // Read at each decision: the budget grows while the provider is degraded (see retryBudget).
          get retry() {
            return retryBudget(plan.retry, degraded());
          },
          random,
        },
      },
    });
    record.actor = actor;
    actor.on('*', (emitted) => this.options.onTaskEvent(record, emitted as TaskEmitted));
    return actor;
  }

  /** Gives back the capacity a task held. */
  release(record: TaskRecord, user: UserEntry): void {
    if (!record.actor) return;
    user.capacityUsed = Math.max(0, user.capacityUsed - record.weight);
    user.running--;
    this.running--;
    record.actor = null;
    record.weight = 0;
    record.waitingForSlot = false;
  }
}
