import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventSource } from 'eventsource';
import unzipper from 'unzipper';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClipFleetClient, createServer, type ClipFleetServer } from '../src/index.ts';
import { testStorage } from './helpers/database.ts';
import { tableCounts } from './helpers/server.ts';

/**
 * The CLI as a user runs it: a child process (bin/clipfleet.js) against real servers over HTTP with the simulated
 * KIE at 400x, one clean and one that refuses 40 % of prompts (per prompt, so a retry is refused again).
 */
const apiRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(apiRoot, '../..');
const BIN = join(apiRoot, 'bin/clipfleet.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string | undefined>, opts: { cmd?: string; cwd?: string } = {}): Promise<Run> {
  const [cmd, argv] = opts.cmd ? [opts.cmd, args] : [process.execPath, [BIN, ...args]];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CLIPFLEET_URL: undefined, CLIPFLEET_KEY: undefined, ...env };
  return new Promise((done) => {
    execFile(cmd, argv, { env: childEnv, cwd: opts.cwd ?? repoRoot, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      done({ code, stdout, stderr });
    });
  });
}

interface Served {
  server: ClipFleetServer;
  env: Record<string, string>;
}

async function serve(faults?: string): Promise<Served> {
  const server = createServer({ ...(await testStorage()), port: 0, devCredits: 0, kie: { mode: 'sim', timeScale: 400, seed: 21, ...(faults ? { faults } : {}) } });
  const { url } = await server.start();
  const admin = createClipFleetClient(url, server.adminKey, { EventSource });
  const { apiKey } = await admin.admin.createUser.mutate({ name: 'cli user', credits: 100_000 });
  return { server, env: { CLIPFLEET_URL: url, CLIPFLEET_KEY: apiKey } };
}

let clean: Served;
let refusing: Served;
let dir = '';

const GOOD_CSV = [
  'prompt,model,resolution,duration,aspect_ratio',
  'A red fox in fresh snow,,720p,10,landscape',
  '"A storm at sea, seen from a lighthouse",,,,',
  'A paper boat on a river,sora-2-pro,1080p,10,portrait',
  'A hummingbird in slow motion,,,15,',
].join('\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'clipfleet-cli-'));
  writeFileSync(join(dir, 'good.csv'), GOOD_CSV);
  writeFileSync(join(dir, 'bad.csv'), 'prompt,model,resolution,duration\nA red fox,sora-2,720p,10\nA lighthouse,sora-2,1080p,15\nA dog,sora-2,720p,ten\n');
  writeFileSync(
    join(dir, 'many.csv'),
    ['prompt', ...Array.from({ length: 10 }, (_, i) => `"A street market at night, shot ${i + 1}"`)].join('\n'),
  );
  [clean, refusing] = await Promise.all([serve(), serve('policy:40')]);
});

afterAll(async () => {
  await Promise.all([clean?.server.stop(), refusing?.server.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('clipfleet CLI', { timeout: 120_000 }, () => {
  it('is on the repository as `npx clipfleet`', async () => {
    const help = await run(['clipfleet', 'help'], {}, { cmd: 'npx', cwd: repoRoot });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/submit \[options\] <file>/);
    expect(help.stdout).toMatch(/download \[options\] <batch>/);
  });

  it('refuses a bad CSV naming each row and field, and submits nothing (exit 2)', async () => {
    // An unquoted comma would cut a prompt short: that file is refused too.
    writeFileSync(join(dir, 'comma.csv'), 'prompt\nA street market at night, shot 1\n');
    const [res, badDefault, noKey, noFile, comma] = await Promise.all([
      run(['submit', join(dir, 'bad.csv'), '--watch'], clean.env),
      run(['estimate', join(dir, 'good.csv'), '--model', 'sora-9'], clean.env),
      run(['status'], { CLIPFLEET_URL: clean.env.CLIPFLEET_URL }),
      run(['submit'], clean.env),
      run(['submit', join(dir, 'comma.csv')], clean.env),
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/row 2 \(line 3\), resolution: sora-2 does not support resolution "1080p"/);
    expect(res.stderr).toMatch(/row 3 \(line 4\), duration: duration "ten" is not a whole number of seconds/);
    expect(res.stderr).toMatch(/nothing was submitted/);
    expect(badDefault.code).toBe(2);
    expect(badDefault.stderr).toMatch(/--model: .*sora-9/);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/CLIPFLEET_KEY is not set/);
    expect(noFile.code).toBe(2);
    expect(comma.code).toBe(2);
    expect(comma.stderr).toMatch(/line 2: more values than the header's 1 columns/);
    expect((await tableCounts(clean.server)).batches).toBe(0);
  });

  it('estimates without submitting', async () => {
    const res = await run(['--json', 'estimate', join(dir, 'good.csv'), '--model', 'sora-2'], clean.env);
    expect(res.code).toBe(0);
    const estimate = JSON.parse(res.stdout) as { taskCount: number; totalCredits: number; enoughCredits: boolean };
    // sora-2 720p 10 s (15) + sora-2 720p default 15 s (20) + sora-2-pro 1080p 10 s (100) + sora-2 720p 15 s (20)
    expect(estimate).toMatchObject({ taskCount: 4, totalCredits: 155, enoughCredits: true });
    expect((await tableCounts(clean.server)).batches).toBe(0);
  });

  it('submits, watches to the end with a progress bar, shows status and downloads the ZIP (exit 0)', async () => {
    const res = await run(['submit', join(dir, 'good.csv'), '--model', 'sora-2', '--duration', '15', '--watch'], clean.env);
    expect(res.stderr).not.toMatch(/clipfleet:/);
    expect(res.code).toBe(0);
    const batchId = /Submitted batch (\S+):/.exec(res.stdout)?.[1];
    expect(batchId).toBeDefined();
    expect(res.stdout).toMatch(/finished, 4\/4 done/);
    // The bar reached the end, with counts by state.
    expect(res.stderr).toMatch(/good\.csv \([0-9a-f]{8}\)\s+\|[█░]+\| 100% 4\/4 \| succeeded 4/);

    const admin = createClipFleetClient(clean.env.CLIPFLEET_URL!, clean.env.CLIPFLEET_KEY!, { EventSource });
    const batch = await admin.batch.get.query({ batchId: batchId! });
    expect(batch.counts.succeeded).toBe(4);
    expect(batch.credits.charged).toBe(155);

    const status = await run(['--json', 'status', batchId!], clean.env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ id: batchId, state: 'finished', counts: { succeeded: 4 } });

    const out = join(dir, 'downloads');
    const dl = await run(['download', batchId!, '-o', out], clean.env);
    expect(dl.code).toBe(0);
    const saved = /Saved (.+\.zip) /.exec(dl.stdout)?.[1];
    expect(saved).toBe(join(out, 'good.csv.zip'));
    const zip = await unzipper.Open.buffer(readFileSync(saved!));
    const names = zip.files.map((f) => f.path);
    expect(names).toContain('manifest.csv');
    // One entry per video (or its .error.txt when the simulator's URL cannot be fetched), and the manifest.
    expect(names.filter((n) => /^row-0000[1-4]\./.test(n))).toHaveLength(4);
    const manifest = (await zip.files.find((f) => f.path === 'manifest.csv')!.buffer()).toString();
    expect(manifest.trim().split('\n')).toHaveLength(5);
  });

  it('watches several batches at once, one bar each', async () => {
    const client = createClipFleetClient(clean.env.CLIPFLEET_URL!, clean.env.CLIPFLEET_KEY!, { EventSource });
    const a = await client.batch.create.mutate({ name: 'first', rows: [{ prompt: 'a tram in fog' }, { prompt: 'a tram at noon' }] });
    const b = await client.batch.create.mutate({ name: 'second', rows: [{ prompt: 'a ferry at dusk' }] });
    const res = await run(['watch', a.batchId, b.batchId], clean.env);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(new RegExp(`first \\(${a.batchId.slice(0, 8)}\\)\\s+\\|[█░]+\\| 100% 2/2 \\| succeeded 2`));
    expect(res.stderr).toMatch(new RegExp(`second \\(${b.batchId.slice(0, 8)}\\)\\s+\\|[█░]+\\| 100% 1/1 \\| succeeded 1`));
  });

  it('exits 1 when tasks fail, for watch, status and retry alike; --json keeps stdout machine-readable', async () => {
    const res = await run(['--json', 'submit', join(dir, 'many.csv'), '--watch'], refusing.env);
    expect(res.code).toBe(1);
    const { batchId, batch } = JSON.parse(res.stdout) as { batchId: string; batch: { counts: { succeeded: number; failed: number } } };
    expect(batch.counts.failed).toBeGreaterThan(0);
    expect(batch.counts.succeeded + batch.counts.failed).toBe(10);
    expect(res.stderr).not.toMatch(/\|[█░]+\|/); // no bars with --json

    const status = await run(['status', batchId], refusing.env);
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/failed x\d+: content_policy|failed x\d+: /);

    const retry = await run(['--json', 'retry', batchId, '--watch'], refusing.env);
    expect(retry.code).toBe(1);
    expect(JSON.parse(retry.stdout)).toMatchObject({ batchId, retried: batch.counts.failed });

    const cancel = await run(['cancel', batchId], refusing.env);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/is finished|is cancelled/);
    expect((await run(['download', 'no-such-batch'], refusing.env)).code).toBe(2);
  });
});
