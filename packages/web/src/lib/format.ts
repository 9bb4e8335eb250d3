/** Display helpers: pure, locale-stable (tests and screenshots do not depend on the machine's locale). */

export function formatCredits(credits: number): string {
  return `${formatInt(credits)} credit${credits === 1 ? '' : 's'}`;
}

export function formatInt(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.round(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A duration for humans: "850 ms", "42 s", "3 min 05 s", "2 h 30 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSec = Math.round(ms / 1000);
  if (totalSec < 60) return `${totalSec} s`;
  const totalMin = Math.floor(totalSec / 60);
  const sec = totalSec % 60;
  if (totalMin < 60) return `${totalMin} min ${String(sec).padStart(2, '0')} s`;
  const hours = Math.floor(totalMin / 60);
  const min = totalMin % 60;
  if (hours < 48) return `${hours} h ${String(min).padStart(2, '0')} min`;
  const days = Math.floor(hours / 24);
  return `${days} d ${hours % 24} h`;
}

/** Minute precision for long spans: "42 min", "4 h 12 min". */
export function formatMinutes(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const totalMin = Math.round(ms / 60_000);
  if (totalMin < 60) return `${totalMin} min`;
  return `${Math.floor(totalMin / 60)} h ${String(totalMin % 60).padStart(2, '0')} min`;
}

export function formatPercent(fraction: number, digits = 0): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-28 01:53" in the viewer's time zone. */
export function formatDateTime(epochMs: number | string | Date): string {
  const d = new Date(epochMs);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "01:53:07" in the viewer's time zone. */
export function formatTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "just now", "5 min ago", "3 h ago", else the date. */
export function formatAgo(epochMs: number | string | Date, now: number = Date.now()): string {
  const t = new Date(epochMs).getTime();
  if (Number.isNaN(t)) return '—';
  const diff = now - t;
  if (diff < 45_000) return 'just now';
  if (diff < 3_600_000) return `${Math.round(diff / 60_000)} min ago`;
  if (diff < 86_400_000) return `${Math.round(diff / 3_600_000)} h ago`;
  return formatDateTime(t);
}

/** Short, readable task/batch ids in tables: the tail (ids made at the same moment share their head). */
export function shortId(id: string, length = 8): string {
  return id.length <= length ? id : id.slice(-length);
}

/** Task/batch state names as labels: "timedOut" -> "timed out". */
export function stateLabel(state: string): string {
  return state.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_.]/g, ' ').toLowerCase();
}
