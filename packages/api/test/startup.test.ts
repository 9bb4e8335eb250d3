import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_ARGS } from './helpers/processes.ts';

const API_DIR = resolve(import.meta.dirname, '..');

/** `npm start`'s server with `env`: resolves with its exit code and stderr (the cases run side by side). */
function start(env: Record<string, string>): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, SERVER_ARGS, { cwd: API_DIR, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 }, (err, _stdout, stderr) => {
      done({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
    });
  });
}

describe.concurrent('start-up errors', () => {
  it.each([
    [{ PORT: 'abc' }, /^clipfleet: cannot start: PORT="abc": must be a port number/],
    [{ PORT: '0', TIME_SCALE: 'fast' }, /^clipfleet: cannot start: TIME_SCALE="fast": must be a positive number/],
    [{ PORT: '0', CLIPFLEET_DB: '/proc/clipfleet-nope/db.sqlite' }, /^clipfleet: cannot start: CLIPFLEET_DB: cannot open database "\/proc\/clipfleet-nope\/db.sqlite"/],
    // Malformed (a port that is not a number), and well-formed but nothing listens there: the password is not shown.
    [{ PORT: '0', CLIPFLEET_DB: 'postgres://clip:s3cret@127.0.0.1:port/clipfleet' }, /^clipfleet: cannot start: CLIPFLEET_DB: malformed PostgreSQL URL "postgres:\/\/clip:\*\*\*@127\.0\.0\.1:port\/clipfleet": Invalid URL$/],
    [{ PORT: '0', CLIPFLEET_DB: 'postgresql://clip:s3cret@127.0.0.1:1/clipfleet' }, /^clipfleet: cannot start: CLIPFLEET_DB: cannot connect to PostgreSQL at "postgresql:\/\/clip:\*\*\*@127\.0\.0\.1:1\/clipfleet": .*ECONNREFUSED/],
  ])('%o exits non-zero with one clear line', async (env, message) => {
    const run = await start(env);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  }, 70_000);
});
