import type { ClipFleetClient } from '../client.ts';
import { stateLine } from './watch.ts';

type BatchView = Awaited<ReturnType<ClipFleetClient['batch']['get']['query']>>;
type BatchListItem = Awaited<ReturnType<ClipFleetClient['batch']['list']['query']>>['items'][number];
type Failures = Awaited<ReturnType<ClipFleetClient['batch']['failures']['query']>>;
type Estimate = Omit<Awaited<ReturnType<ClipFleetClient['batch']['estimate']['query']>>, 'rows'>;

/** 75 -> "1 min 15 s", 9000 -> "2 h 30 min". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}

export function estimateText(e: Estimate): string {
  const lines = [
    `${e.taskCount} tasks, ${e.totalCredits} credits (balance ${e.balance}${e.enoughCredits ? '' : ': NOT enough'}), about ${duration(e.estimatedSeconds)} on plan ${e.plan}`,
    ...e.classes.map(
      (c) => `  ${c.model} ${c.resolution} ${c.durationSec} s  x${c.count}  ${c.creditsEach} credits each, ${c.concurrency} at a time, ~${duration(c.expectedSecondsEach)} each`,
    ),
  ];
  return lines.join('\n');
}

export function batchTable(items: BatchListItem[]): string {
  if (items.length === 0) return 'No batches yet.';
  const rows = items.map((b) => [b.id, b.name, b.state, `${b.done}/${b.taskCount}`, stateLine(b.counts)]);
  const header = ['BATCH', 'NAME', 'STATE', 'DONE', 'TASKS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

export function batchDetails(b: BatchView, failures?: Failures): string {
  const lines = [
    `Batch ${b.id} "${b.name}": ${b.state}, ${b.done}/${b.taskCount} done`,
    `  tasks: ${stateLine(b.counts)}`,
    `  credits: ${b.credits.reserved} reserved, ${b.credits.charged} charged, ${b.credits.refunded} refunded`,
  ];
  for (const g of failures?.groups.slice(0, 5) ?? []) {
    const example = g.examples[0];
    lines.push(`  failed x${g.count}: ${g.cause} (code ${g.code})${example ? `, e.g. row ${example.rowIndex + 1}: ${example.message ?? ''}` : ''}`);
  }
  return lines.join('\n');
}
