import { readFileSync } from 'node:fs';

/**
 * The Node options `npm start` gives the server, read from the api package's start script (the one place they
 * are set), so the benchmarks measure the process settings that ship, V8's heap budget included.
 */
export function startNodeOptions(apiPackageJson: string): string[] {
  const { scripts } = JSON.parse(readFileSync(apiPackageJson, 'utf8')) as { scripts: { start: string } };
  const flags = /\bnode ((?:--\S+ )*)dist\/main\.js/.exec(scripts.start)?.[1];
  if (flags === undefined) throw new Error(`${apiPackageJson}: the start script "${scripts.start}" does not run "node [options] dist/main.js"`);
  return flags.split(' ').filter(Boolean);
}
