import { multiUser, type Scenario } from './scenarios.ts';
import { findScenario, runOne, type StrategyId } from './matrix.ts';

/**
 * One benchmark run in a fresh process, so its peak RSS is its own. Prints one JSON line.
 * Usage: node --import tsx src/bench/worker.ts <scenarioId> <strategyId> <seed> (the benchmark runs it compiled, see run.ts).
 * The baseline is taken once the modules are loaded and the scenario's specs are built: what the run adds
 * beyond it is the engine's (and the simulator's) own.
 *
 * Before the measured run, a warm-up run of WARM_UP_TASKS other tasks on the same provider, as a server has run
 * tasks before a batch arrives: a fresh process first pays V8's compilation of the hot code (most of a cold 10k
 * run's CPU), a cost per process, not per task. Its CPU is reported beside the measured run's.
 */
const WARM_UP_USERS = 20;
const WARM_UP_PER_USER = 50;

const [scenarioId, strategyId, seedArg] = process.argv.slice(2);
const seed = Number(seedArg ?? 1);
const scenario = findScenario(seed, scenarioId!);
const baselineRssMB = Math.round(process.memoryUsage().rss / 1024 / 1024);
// The measured scenario's provider and latencies, none of its faults or guards: only the code paths are warmed.
const warmUp: Scenario = {
  id: `${scenario.id}/warm-up`,
  title: 'warm-up',
  latency: scenario.latency,
  faultFree: true,
  ...(scenario.provider ? { provider: scenario.provider } : {}),
  ...multiUser(seed + 1, 'warm-up', WARM_UP_USERS, WARM_UP_PER_USER, 'enterprise'),
};
const warm = await runOne(warmUp, strategyId as StrategyId, seed + 1);
const result = await runOne(scenario, strategyId as StrategyId, seed);
const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
const warmUpRun = { tasks: warm.metrics.tasks, cpuMs: warm.perf.cpuMs, wallMs: warm.perf.wallMs };
process.stdout.write(`${JSON.stringify({ metrics: result.metrics, perf: { ...result.perf, peakRssMB, baselineRssMB, warmUp: warmUpRun } })}\n`);
