import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Replaces the text between `<!-- name:start -->` and `<!-- name:end -->` in the root README; when the markers are
 * missing, the section goes after the `after` section's end marker.
 */
export function writeReadmeSection(repoRoot: string, name: string, section: string, after: string): void {
  const path = join(repoRoot, 'README.md');
  const text = readFileSync(path, 'utf8');
  const [startMark, endMark] = [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
  const block = `${startMark}\n${section}${endMark}`;
  const start = text.indexOf(startMark);
  const end = text.indexOf(endMark);
  const next =
    start >= 0 && end > start ? text.slice(0, start) + block + text.slice(end + endMark.length) : text.replace(`<!-- ${after}:end -->`, `<!-- ${after}:end -->\n\n${block}`);
  writeFileSync(path, next);
}

/** The short commit a table was measured on (named in its heading). */
export function gitCommit(repoRoot: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}
