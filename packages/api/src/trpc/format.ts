import type { z } from 'zod';

/** `['rows', 3, 'prompt']` -> `rows[3].prompt`: the field at fault, as a user would write it. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(input)';
}

/** One line naming each bad field (the first few of them). */
export function formatZodMessage(error: z.ZodError, max = 5): string {
  const lines = error.issues.slice(0, max).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const more = error.issues.length - max;
  return more > 0 ? `${lines.join('; ')}; and ${more} more` : lines.join('; ');
}
