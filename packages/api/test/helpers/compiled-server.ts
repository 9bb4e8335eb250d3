import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const API_DIR = resolve(import.meta.dirname, '../..');
const BUILT = Symbol.for('clipfleet.tests.compiledServer');

/**
 * vitest globalSetup: compiles the server once per run with the build `npm start` runs (build.mjs), so every
 * test's server process starts from dist/main.js under plain node, as in production, instead of each one
 * compiling the TypeScript through tsx again (about 1.4 s of CPU more per start). Both api projects list this
 * setup; when they run in one vitest process they share the one build.
 */
export default async function setup(): Promise<void> {
  const shared = globalThis as { [BUILT]?: Promise<unknown> };
  shared[BUILT] ??= promisify(execFile)(process.execPath, ['build.mjs'], { cwd: API_DIR });
  await shared[BUILT];
}
