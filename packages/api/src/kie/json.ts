/** Lenient readers for KIE's JSON: copies of the docs disagree on types, so these accept both spellings. */

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** KIE sends numbers, but some copies send numeric strings ("200", "1765183463848"). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** A timestamp: Unix ms as a number / numeric string, or (defensively) a date string. */
export function toTimeMs(v: unknown): number | undefined {
  const n = toNumber(v);
  if (n !== undefined) return n;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

export function toText(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function stringArray(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out = v.filter((x): x is string => typeof x === 'string' && x !== '');
  return out;
}

