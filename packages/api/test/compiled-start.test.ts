import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastingTestStorage, storageEnv } from './helpers/database.ts';
import { freePort, kill9 } from './helpers/processes.ts';

const API_DIR = resolve(import.meta.dirname, '..');

describe('npm start runs compiled JavaScript', () => {
  // The run's global setup (helpers/compiled-server.ts) has built the bundle with the same build.mjs, once.
  it('serves from the bundle build.mjs makes, under plain node (no tsx)', async () => {
    const scripts = JSON.parse(readFileSync(join(API_DIR, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.start).toMatch(/^node build\.mjs && node .*dist\/main\.js$/);
    const dir = mkdtempSync(join(tmpdir(), 'clipfleet-compiled-'));
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: API_DIR,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...storageEnv(await lastingTestStorage(dir, 'c.db')), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((res, rej) => {
        // (as spawnServer's budget: a loaded machine can take tens of seconds to start a process)
        const timer = setTimeout(() => rej(new Error(`no start:\n${out}`)), 60_000);
        const on = (c: Buffer) => {
          out += c.toString();
          if (/listening on/.test(out)) {
            clearTimeout(timer);
            res();
          }
        };
        child.stdout.on('data', on);
        child.stderr.on('data', on);
        child.once('exit', (code) => rej(new Error(`exited ${code}:\n${out}`)));
      });
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ ok: true, storage: { writable: true } });
    } finally {
      await kill9(child);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
