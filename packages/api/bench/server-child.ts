/**
 * The API server under benchmark, alone in its own process so that its RSS and event-loop lag are its own
 * (the load generators and the simulated KIE live in the parent). Started by api-bench.ts with fork().
 *
 * KIE: the real HTTP client (src/kie) against the simulator's HTTP face in the parent, with the engine clock sped
 * up by the same factor: the production code path, only faster.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { createKieHttpGateway } from '../src/kie/index.ts';
import { createScaledClock, createServer } from '../src/index.ts';
import type { ChildReport, ParentCommand, PhaseFigures } from './protocol.ts';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`server-child: ${name} is not set`);
  return v;
};

const timeScale = Number(env('BENCH_TIME_SCALE'));
/** monitorEventLoopDelay samples with a timer of this period; each sample includes the period itself. */
const RESOLUTION_MS = 10;
const RSS_SAMPLE_MS = 100;

const send = (msg: ChildReport) => process.send?.(msg);

/** One histogram per phase plus one for the whole run; RSS peaks likewise. */
const overall = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
let phase = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
let phaseName = 'setup (admin calls)';
let phaseRssPeak = 0;
let overallRssPeak = 0;
let phaseRssSamples = 0;
let phaseCpuStart = process.cpuUsage();

function lagMs(h: IntervalHistogram, p: number): number {
  // The recorded value is the time between two timer ticks; lag is what exceeds the period.
  return Math.max(0, h.percentile(p) / 1e6 - RESOLUTION_MS);
}

function figures(name: string, h: IntervalHistogram, rssPeak: number, samples: number, cpuSince?: NodeJS.CpuUsage): PhaseFigures {
  const { user, system } = process.cpuUsage(cpuSince);
  return {
    phase: name,
    lagP50Ms: round(lagMs(h, 50)),
    lagP99Ms: round(lagMs(h, 99)),
    lagMaxMs: round(Math.max(0, h.max / 1e6 - RESOLUTION_MS)),
    lagSamples: h.count,
    rssPeakMb: round(rssPeak / 2 ** 20),
    rssSamples: samples,
    cpuSeconds: round((user + system) / 1e6),
  };
}

const round = (x: number) => Math.round(x * 10) / 10;

/** Diagnosis (--mem-log): one JSON line per second with the phase, memory by kind and CPU time so far. */
const memLog = process.env.BENCH_MEM_LOG;
let memTick = 0;

const rssTimer = setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (memLog && ++memTick % 10 === 0) {
    const { heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
    const { user, system } = process.cpuUsage();
    const mb = (x: number) => round(x / 2 ** 20);
    // V8's spaces by size (young generation, old, large objects...): which one grows.
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name.replace(/_space$/, ''), mb(s.space_size)]));
    appendFileSync(memLog, `${JSON.stringify({ phase: phaseName, rss: mb(rss), heapTotal: mb(heapTotal), heapUsed: mb(heapUsed), external: mb(external), arrayBuffers: mb(arrayBuffers), cpuMs: Math.round((user + system) / 1000), spaces })}\n`);
  }
  if (rss > phaseRssPeak) phaseRssPeak = rss;
  if (rss > overallRssPeak) overallRssPeak = rss;
  phaseRssSamples++;
}, RSS_SAMPLE_MS);

async function main(): Promise<void> {
  const gateway = createKieHttpGateway({ baseUrl: env('BENCH_SIM_URL'), apiKey: env('BENCH_SIM_KEY'), requestTimeoutMs: 30_000 });
  const server = createServer({
    dbPath: env('BENCH_DB'),
    port: 0,
    devCredits: 0,
    kie: { mode: 'gateway', gateway, clock: createScaledClock(timeScale) },
  });
  const { url } = await server.start();
  overall.enable();
  phase.enable();
  send({ type: 'ready', url, adminKey: server.adminKey, pid: process.pid });

  process.on('message', (raw: ParentCommand) => {
    if (raw.cmd === 'phase') {
      // Close the current phase and start the next one.
      phase.disable();
      send({ type: 'phase', figures: figures(phaseName, phase, phaseRssPeak, phaseRssSamples, phaseCpuStart) });
      phaseCpuStart = process.cpuUsage();
      phase = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      phase.enable();
      phaseName = raw.name;
      phaseRssPeak = process.memoryUsage.rss();
      phaseRssSamples = 0;
    } else if (raw.cmd === 'stop') {
      phase.disable();
      overall.disable();
      clearInterval(rssTimer);
      send({ type: 'phase', figures: figures(phaseName, phase, phaseRssPeak, phaseRssSamples, phaseCpuStart) });
      send({ type: 'overall', figures: figures('overall', overall, overallRssPeak, 0) });
      void server.stop().finally(() => {
        send({ type: 'stopped' });
        process.disconnect?.();
      });
    }
  });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
