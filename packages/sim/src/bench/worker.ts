import { findScenario, runOne, type StrategyId } from './matrix.ts';

/**
 * One benchmark run in a fresh process, so its peak RSS is its own. Prints one JSON line.
 * Usage: node --import tsx src/bench/worker.ts <scenarioId> <strategyId> <seed> (the benchmark runs it compiled, see run.ts).
 * The baseline is taken once the modules are loaded and the scenario's specs are built: what the run adds
 * beyond it is the engine's (and the simulator's) own.
 */
const [scenarioId, strategyId, seedArg] = process.argv.slice(2);
const seed = Number(seedArg ?? 1);
const scenario = findScenario(seed, scenarioId!);
const baselineRssMB = Math.round(process.memoryUsage().rss / 1024 / 1024);
const result = await runOne(scenario, strategyId as StrategyId, seed);
const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify({ metrics: result.metrics, perf: { ...result.perf, peakRssMB, baselineRssMB } })}\n`);
