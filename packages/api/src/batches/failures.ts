/** Failure analysis: failed and timed-out tasks grouped by cause (code and message class). */

export interface FailureRow {
  id: string;
  row_index: number;
  state: string;
  fail_code: string | null;
  fail_message: string | null;
  attempts: number;
}

const CLASSES: Array<[RegExp, string]> = [
  [/safety|nsfw|copyright|content polic|policy|moderat|prohibited|sensitive/i, 'content policy'],
  [/timed? ?out|timeout|no result within/i, 'timeout'],
  [/rate|too many|429/i, 'rate limited'],
  [/credit|balance|insufficient/i, 'provider credits'],
  [/unauthori[sz]ed|api key|forbidden/i, 'provider auth'],
  [/maintenance/i, 'provider maintenance'],
  [/image|url/i, 'input image'],
  [/prompt|validation|invalid|not sent/i, 'invalid input'],
  [/network|fetch|socket|reset|dns|transport|econn/i, 'network'],
  [/server|internal|upstream|unavailable/i, 'provider error'],
];

/** The message's class: a known cause, else the message with ids and numbers blanked (so similar ones group). */
export function messageClass(message: string | null): string {
  if (!message) return 'unknown';
  for (const [re, name] of CLASSES) if (re.test(message)) return name;
  return message.toLowerCase().replace(/[0-9a-f]{8,}|\d+/g, '#').slice(0, 80);
}

export interface FailureGroup {
  code: string;
  cause: string;
  count: number;
  examples: Array<{ taskId: string; rowIndex: number; message: string | null; attempts: number }>;
}

export function groupFailures(rows: FailureRow[], examplesPerGroup = 3) {
  const groups = new Map<string, FailureGroup>();
  for (const row of rows) {
    const code = row.state === 'timedOut' ? 'timeout' : (row.fail_code ?? 'unknown');
    const cause = row.state === 'timedOut' ? 'timeout' : messageClass(row.fail_message);
    const key = `${code}|${cause}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { code, cause, count: 0, examples: [] }));
    g.count += 1;
    if (g.examples.length < examplesPerGroup) g.examples.push({ taskId: row.id, rowIndex: row.row_index, message: row.fail_message, attempts: row.attempts });
  }
  const list = [...groups.values()].sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return { total: rows.length, groups: list };
}
