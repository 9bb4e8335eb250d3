import { allowedDurations, liveModels, type BatchInput, type Catalog, type TaskSpec } from '@clipfleet/engine';
import type { FaultSpec } from '../profiles/faults.ts';
import type { LatencyProfileName } from '../profiles/latency.ts';
import { streamFor } from '../rng.ts';

export interface Scenario {
  id: string;
  title: string;
  latency: LatencyProfileName;
  faults?: FaultSpec;
  userPlans: Record<string, string>;
  batches: BatchInput[];
  /** Fault-free: ClipFleet's makespan is held against the capacity lower bound. */
  faultFree: boolean;
  /** The seed table cell this reproduces, if any. */
  seedCell?: { plan: string; mix: Mix };
  maxSimMs?: number;
  /**
   * A bigger provider: the global cap, and the number of KIE accounts (provider.accounts, a createTask window of
   * 20 per 10 s each, tasks spread over them). One account cannot keep 1,000 jobs of a few minutes running.
   */
  provider?: { maxRunning: number; accounts: number };
}

export type Mix = '720p' | '1080p' | '50:50';

interface Shape {
  model: string;
  resolution: string;
  durationSec: number;
}

const PRO_720_15: Shape = { model: 'sora-2-pro', resolution: '720p', durationSec: 15 };
const PRO_1080_15: Shape = { model: 'sora-2-pro', resolution: '1080p', durationSec: 15 };
const SORA2_10: Shape = { model: 'sora-2', resolution: '720p', durationSec: 10 };
const PRO_720_10: Shape = { model: 'sora-2-pro', resolution: '720p', durationSec: 10 };
const PRO_1080_10: Shape = { model: 'sora-2-pro', resolution: '1080p', durationSec: 10 };
export const SHAPES = [SORA2_10, PRO_720_10, PRO_720_15, PRO_1080_10, PRO_1080_15] as const;

/**
 * The batch's specs. Their strings are flat, as a host reading rows from its store or a request body has them:
 * a template literal would leave a tree of its parts, about twice the bytes, in every spec the run holds.
 */
function tasks(batchId: string, userId: string, shapes: Shape[]): TaskSpec[] {
  return shapes.map((shape, rowIndex) => ({
    taskId: [batchId, '-t', rowIndex].join(''),
    batchId,
    userId,
    rowIndex,
    prompt: [batchId, ' prompt ', rowIndex].join(''),
    ...shape,
  }));
}

/** The seed table: 100 videos (15 s), all 720p / all 1080p / 50:50, on pro and pro_plus. */
export function seedTableScenario(plan: 'pro' | 'pro_plus', mix: Mix): Scenario {
  const shapes = Array.from({ length: 100 }, (_, i) => (mix === '720p' ? PRO_720_15 : mix === '1080p' ? PRO_1080_15 : i % 2 === 0 ? PRO_720_15 : PRO_1080_15));
  return {
    id: `table/${plan}/${mix}`,
    title: `seed table: ${plan}, 100 x ${mix}`,
    latency: 'seed',
    userPlans: { u1: plan },
    batches: [{ batchId: 'b1', userId: 'u1', tasks: tasks('b1', 'u1', shapes) }],
    faultFree: true,
    seedCell: { plan, mix },
  };
}

/**
 * Every (live model, resolution) of the catalog, each at its shortest clip and at the clip nearest 8 s, with
 * the model's image mode on every other shape when it has no text mode: KIE's models today, spread evenly.
 */
export function liveShapes(catalog?: Catalog): Shape[] {
  return liveModels(catalog).flatMap((m) => {
    const durations = allowedDurations(m);
    const near8 = durations.reduce((best, d) => (Math.abs(d - 8) < Math.abs(best - 8) ? d : best), durations[0]!);
    return m.resolutions.flatMap((resolution) => [...new Set([durations[0]!, near8])].map((durationSec) => ({ model: m.id, resolution, durationSec })));
  });
}

/** The live-model mix: `count` rows dealt round-robin over liveShapes(), on pro_plus. */
export function liveMixScenario(count = 100): Scenario {
  const shapes = liveShapes();
  const rows = Array.from({ length: count }, (_, i) => shapes[i % shapes.length]!);
  return {
    id: 'live-mix',
    title: `live models: ${count} rows over ${new Set(shapes.map((s) => s.model)).size} models (market + veo), pro_plus`,
    latency: 'seed',
    userPlans: { u1: 'pro_plus' },
    batches: [{ batchId: 'live', userId: 'u1', tasks: tasks('live', 'u1', rows) }],
    faultFree: true,
  };
}

/** A seeded random mix of every class (used by field, fault and scale scenarios and by properties). */
export function mixedShapes(seed: number, count: number, key: string): Shape[] {
  const rng = streamFor(seed, `mix/${key}`);
  return Array.from({ length: count }, () => SHAPES[Math.floor(rng.float() * SHAPES.length)]!);
}

/** Several users, each with one batch of a random mix. */
export function multiUser(seed: number, id: string, users: number, perUser: number, plan: string): Pick<Scenario, 'userPlans' | 'batches'> {
  const userPlans: Record<string, string> = {};
  const batches: BatchInput[] = [];
  for (let u = 0; u < users; u++) {
    const userId = `u${u}`;
    userPlans[userId] = plan;
    batches.push({ batchId: `${id}-b${u}`, userId, tasks: tasks(`${id}-b${u}`, userId, mixedShapes(seed, perUser, `${id}/${u}`)) });
  }
  return { userPlans, batches };
}

/** A scenario by id, built only when asked for (the 100,000-task one holds 100,000 specs). */
export interface ScenarioEntry {
  id: string;
  build: () => Scenario;
}

/** Every scenario of the benchmark, in order, unbuilt. */
export function scenarioEntries(seed: number, options: { quick: boolean }): ScenarioEntry[] {
  const list: ScenarioEntry[] = [];
  const add = (id: string, build: () => Omit<Scenario, 'id'>) => list.push({ id, build: () => ({ id, ...build() }) });
  for (const plan of ['pro', 'pro_plus'] as const) for (const mix of ['720p', '1080p', '50:50'] as const) add(`table/${plan}/${mix}`, () => seedTableScenario(plan, mix));
  add('live-mix', () => liveMixScenario(100));
  const mixed = (id: string) => multiUser(seed, id, 1, 100, 'pro_plus');
  add('field', () => ({ title: 'field latency, 100 mixed, pro_plus', latency: 'field', faultFree: true, ...mixed('field') }));
  // Three users so the retry success rate rests on a few dozen retried tasks, not a handful.
  add('flaky', () => ({ title: 'flaky 10 %, 3 users x 100 mixed, pro_plus', latency: 'seed', faults: 'flaky:10', faultFree: false, ...multiUser(seed, 'flaky', 3, 100, 'pro_plus') }));
  add('policy', () => ({ title: 'policy refusals 5 %, 100 mixed, pro_plus', latency: 'seed', faults: 'policy:5', faultFree: false, ...mixed('policy') }));
  add('outage', () => ({ title: '455 outage 5-15 min, 100 mixed, pro_plus', latency: 'seed', faults: 'outage', faultFree: false, ...mixed('outage') }));
  add('lost-callbacks', () => ({ title: 'lost callbacks 30 %, 100 mixed, pro_plus', latency: 'seed', faults: 'lost-callbacks:30', faultFree: false, ...mixed('lost') }));
  // The key is revoked at 10 min: the engine must halt and wait for an operator (401 is not retryable), so the
  // run stops at the 6 h guard with tasks left open, by design.
  add('auth', () => ({ title: 'API key revoked at 10 min, 100 mixed, pro_plus', latency: 'seed', faults: 'auth', faultFree: false, maxSimMs: 6 * 3600_000, ...mixed('auth') }));
  add('overload', () => ({
    title: 'overload: 10 enterprise users x 40 mixed, 429 bursts, slowdown/failures above 40 running',
    latency: 'seed',
    faults: 'overload',
    faultFree: false,
    ...multiUser(seed, 'overload', 10, 40, 'enterprise'),
  }));
  add('scale/1k', () => ({ title: 'scale: 1,000 tasks (20 enterprise users x 50)', latency: 'seed', faultFree: true, ...multiUser(seed, 'scale1k', 20, 50, 'enterprise') }));
  if (!options.quick) {
    add('scale/10k', () => ({ title: 'scale: 10,000 tasks (200 enterprise users x 50)', latency: 'seed', faultFree: true, ...multiUser(seed, 'scale10k', 200, 50, 'enterprise') }));
    const big = { maxRunning: 1_000, accounts: 10 };
    add('scale/10k-1000', () => ({
      title: 'scale: 10,000 tasks, 1,000 running (200 enterprise users x 50, 10 KIE accounts)',
      latency: 'seed',
      faultFree: true,
      provider: big,
      ...multiUser(seed, 'scale10k', 200, 50, 'enterprise'),
    }));
    add('scale/100k', () => ({
      title: 'scale: 100,000 tasks, 1,000 running (200 enterprise users x 500, 10 KIE accounts)',
      latency: 'seed',
      faultFree: true,
      provider: big,
      ...multiUser(seed, 'scale100k', 200, 500, 'enterprise'),
    }));
  }
  return list;
}

export function scenarios(seed: number, options: { quick: boolean }): Scenario[] {
  return scenarioEntries(seed, options).map((entry) => entry.build());
}
