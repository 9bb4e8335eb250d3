/** Small, dependency-free statistics for the benchmark's own figures. */

/** Nearest-rank percentile (p in 0-100) of a non-empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;

export interface TableRow {
  metric: string;
  target: string;
  measured: string;
  pass: boolean | null;
}

/** A GitHub-flavoured markdown table; `pass: null` means informational (no target). */
export function markdownTable(rows: readonly TableRow[]): string {
  const lines = ['| metric | target | measured | result |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.metric} | ${r.target} | ${r.measured} | ${r.pass === null ? '' : r.pass ? 'PASS' : 'FAIL'} |`);
  return lines.join('\n');
}
