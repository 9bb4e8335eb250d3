import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CHROMIUM = '/usr/bin/chromium';

/** Debian's chromium: the only browser these machines can install (browser downloads are blocked). */
function ensureChromium(): void {
  if (existsSync(CHROMIUM)) return;
  console.log('[web tests] installing chromium with apt-get (one-time setup)…');
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

/** Builds the client once before the browser tests, exactly as `npm start` does. */
export default async function setup(): Promise<void> {
  ensureChromium();
  await build({ root: webRoot, configFile: resolve(webRoot, 'vite.config.ts'), logLevel: 'warn' });
}
