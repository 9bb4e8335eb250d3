import {
  createSupervisor,
  DEFAULT_CONFIG,
  parseFleetConfig,
  type EngineEvent,
  type FleetConfig,
  type Supervisor,
  type SupervisorOptions,
  type TaskSpec,
} from '../../src/index.ts';
import { ScriptedGateway, type AttemptScript } from './scriptedGateway.ts';
import { runUntil, SteppingClock } from './steppingClock.ts';

export interface TaskClass {
  model: string;
  resolution: string;
  durationSec: number;
}

export const CLASSES: TaskClass[] = [
  { model: 'sora-2', resolution: '720p', durationSec: 10 },
  { model: 'sora-2', resolution: '720p', durationSec: 15 },
  { model: 'sora-2-pro', resolution: '720p', durationSec: 15 },
  { model: 'sora-2-pro', resolution: '1080p', durationSec: 10 },
  { model: 'sora-2-pro', resolution: '1080p', durationSec: 15 },
];

export function makeTasks(batchId: string, userId: string, classes: TaskClass[]): TaskSpec[] {
  return classes.map((c, rowIndex) => ({ taskId: `${batchId}-t${rowIndex}`, batchId, userId, rowIndex, prompt: `video ${rowIndex}`, ...c }));
}

/** A config variant: the default with edits applied to a deep copy, validated like any config. */
export function configWith(edit: (c: FleetConfig) => void): FleetConfig {
  const copy = structuredClone(DEFAULT_CONFIG);
  edit(copy);
  return parseFleetConfig(copy);
}

export interface Harness {
  clock: SteppingClock;
  gateway: ScriptedGateway;
  supervisor: Supervisor;
  events: EngineEvent[];
  run(maxSteps?: number): Promise<void>;
}

export function harness(
  opts: { config?: FleetConfig; scripts?: Record<string, AttemptScript[]>; userPlans?: Record<string, string> } & Partial<SupervisorOptions> = {},
): Harness {
  const clock = new SteppingClock();
  const gateway = new ScriptedGateway(clock, opts.scripts);
  const events: EngineEvent[] = [];
  const supervisor = createSupervisor({
    clock,
    gateway,
    config: opts.config ?? DEFAULT_CONFIG,
    userPlans: opts.userPlans,
    onEvent: (e) => events.push(e),
    ...(opts.random ? { random: opts.random } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  return { clock, gateway, supervisor, events, run: (maxSteps) => runUntil(clock, () => supervisor.isIdle(), maxSteps) };
}
