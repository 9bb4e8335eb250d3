/** The API bench's table: one row per target, from the figures the phases measured (a phase not run has no rows). */
import { cfg, TARGETS } from './api-config.ts';
import type { BigFigures } from './phases/big.ts';
import type { CreateFigures } from './phases/create.ts';
import type { LateFigures } from './phases/late.ts';
import type { SseFigures } from './phases/sse.ts';
import type { PhaseFigures } from './protocol.ts';
import type { TableRow } from './stats.ts';

export interface BenchFigures {
  create?: CreateFigures;
  sse?: SseFigures;
  late?: LateFigures;
  big?: BigFigures;
  /** The server's lag and RSS per phase, by phase name. */
  phases: readonly PhaseFigures[];
  overall: PhaseFigures | undefined;
  kie: { createCalls: number; queryCalls: number };
}

/** Server phase names, as the phases announce them to the server child. */
export const PHASE_NAMES = {
  create: `batch.create x${cfg.createRows}`,
  sse: 'sse',
  lateRun: 'late: batch run',
  late: 'late subscribers',
  big: `${cfg.bigRows}-row batch`,
};

export function tableRows(f: BenchFigures): TableRow[] {
  const phase = (name: string) => f.phases.find((p) => p.phase === name);
  const rssRow = (metric: string, p: PhaseFigures | undefined, target: number): TableRow => ({
    metric,
    target: `<= ${target} MB`,
    measured: p ? `${p.rssPeakMb} MB` : 'n/a',
    pass: p ? p.rssPeakMb <= target : false,
  });
  const { create, sse, late, big } = f;
  return [
    ...(create ? [{ metric: `batch.create ${create.rows} rows p95 (p50, max)`, target: `<= ${TARGETS.createP95Ms} ms`, measured: `${create.p95Ms} ms (${create.p50Ms}, ${create.maxMs}) over ${create.iterations}`, pass: create.p95Ms <= TARGETS.createP95Ms }] : []),
    ...(big
      ? [
          { metric: `${big.rows}-row batch accepted`, target: `<= ${TARGETS.acceptMs} ms`, measured: `${big.acceptMs} ms`, pass: big.acceptMs <= TARGETS.acceptMs },
          { metric: `${big.rows}-row batch run to the end`, target: 'finished', measured: `${big.finished ? 'finished' : 'NOT finished'} in ${big.runSeconds} s (${big.simulatedHours} h simulated): ${big.counts.succeeded} succeeded, ${big.counts.failed} failed, ${big.counts.timedOut} timed out`, pass: big.finished },
          rssRow(`server RSS peak during the ${big.rows}-row run`, phase(PHASE_NAMES.big), TARGETS.rssMb),
        ]
      : []),
    ...(sse
      ? [{ metric: `SSE: ${sse.subscribers} subscribers, ${sse.eventsPerSubscriber} events each`, target: 'no missed event', measured: `${sse.completeInOrder}/${sse.subscribers} complete and in order; missed ${sse.missedEvents}, duplicates ${sse.duplicateEvents}, errors ${sse.subscriptionErrors} (batch: ${sse.batchCounts.succeeded} succeeded, ${sse.batchCounts.timedOut} timed out, ${sse.batchCounts.failed} failed, in ${sse.runSeconds} s)`, pass: sse.completeInOrder === sse.subscribers && sse.missedEvents === 0 && sse.duplicateEvents === 0 }]
      : []),
    ...(late
      ? [
          {
            metric: `late subscribers: ${late.subscribers} join a finished ${late.rows}-task batch and replay its ${late.eventsEach} events (grouped stream)`,
            target: `>= ${cfg.lateEvents} events each, all connected within ${TARGETS.lateConnectMs / 1000} s`,
            measured: `${late.connectedWithinTarget}/${late.subscribers} (slowest first message ${late.connectMaxMs} ms); ${late.completeInOrder}/${late.subscribers} complete and in order, errors ${late.errors}, all replays done in ${late.replaySeconds} s`,
            pass: late.eventsEach >= cfg.lateEvents && late.connectedWithinTarget === late.subscribers && late.completeInOrder === late.subscribers,
          },
          { metric: 'late subscribers: me.get latency meanwhile p99 (p50, max)', target: `<= ${TARGETS.lateMeP99Ms} ms`, measured: `${late.meP99Ms} ms (${late.meP50Ms}, ${late.meMaxMs}) over ${late.meCalls} calls`, pass: late.meP99Ms <= TARGETS.lateMeP99Ms },
          rssRow('late subscribers: server RSS peak while they replay', phase(PHASE_NAMES.late), TARGETS.lateRssMb),
        ]
      : []),
    ...[...f.phases, ...(f.overall ? [{ ...f.overall, phase: 'whole bench (worst of both servers)' }] : [])].map((p) => ({
      metric: `server event-loop lag p99 (p50, max) [RSS peak, CPU]: ${p.phase}`,
      target: `<= ${TARGETS.lagP99Ms} ms`,
      measured: `${p.lagP99Ms} ms (${p.lagP50Ms}, ${p.lagMaxMs}) [${p.rssPeakMb} MB, ${p.cpuSeconds} s]`,
      pass: p.lagP99Ms <= TARGETS.lagP99Ms,
    })),
    { metric: 'KIE calls (simulated provider)', target: '', measured: `${f.kie.createCalls} createTask, ${f.kie.queryCalls} recordInfo`, pass: null },
  ];
}
