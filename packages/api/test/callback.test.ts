import { startKieSimServer, type KieSimServer } from '@clipfleet/sim';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signKieWebhook } from '../src/kie/index.ts';
import { startTestServer, waitFor, type TestServer } from './helpers/server.ts';

/**
 * Forged, replayed and swapped callbacks over real HTTP, against the KIE simulator's HTTP face (so "what KIE says"
 * is the simulator's own record), with and without KIE_WEBHOOK_KEY. Each asserts what KIE says, what the
 * database holds and what was charged. Jobs take minutes at this time scale: only a callback could end them early.
 */
const SIM_KEY = 'callback-test-kie-key';
const WEBHOOK_KEY = 'callback-test-webhook-key';

async function setup(webhookKey?: string) {
  const sim = await startKieSimServer({ seed: 3, timeScale: 1, apiKeys: [SIM_KEY] });
  // The real KIE client against the simulator's HTTP face (the gateway argument is replaced by `kie`).
  const t = await startTestServer(sim.core as never, {
    extra: { kie: { mode: 'real', apiKey: SIM_KEY, baseUrl: sim.url, timeScale: 1 }, ...(webhookKey ? { webhookKey } : {}) },
  });
  return { sim, t };
}

let serial = 0;

async function runningTask(t: TestServer) {
  const { client } = await t.user(1000);
  const prompt = `a slow generation ${++serial}`;
  const { batchId } = await client.batch.create.mutate({ rows: [{ prompt }], defaultModel: 'wan-2.7', defaultResolution: '720p', defaultDuration: 2 });
  const task = await waitFor(async () => (await client.batch.tasks.query({ batchId })).items.find((x) => x.remoteTaskId), 'a remote id');
  return { client, batchId, taskId: task.id, remote: task.remoteTaskId! };
}

function post(t: TestServer, body: unknown, headers: Record<string, string> = {}, path = '/kie/callback') {
  return fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const success = (remote: string, url = 'http://127.0.0.1:1/__sim/stats') => ({
  code: 200,
  msg: 'success',
  data: { taskId: remote, state: 'success', resultJson: JSON.stringify({ resultUrls: [url] }), createTime: Date.now() - 1000, completeTime: Date.now() },
});
const failure = (remote: string, failCode: number, failMsg: string) => ({ code: failCode, msg: failMsg, data: { taskId: remote, state: 'fail', failCode, failMsg } });
const progress = (remote: string, value: number) => ({ code: 200, msg: 'success', data: { taskId: remote, state: 'generating', progress: value } });

/** What the database holds for the task, what was charged, what KIE says and how often it was asked. */
async function facts(t: TestServer, sim: KieSimServer, taskId: string, remote: string) {
  const db = t.server.deps!.db;
  const task = await db.selectFrom('tasks').select(['state', 'result_urls', 'prompt']).where('id', '=', taskId).executeTakeFirstOrThrow();
  const ledger = await db.selectFrom('credit_ledger').select(['kind']).where('task_id', '=', taskId).execute();
  const kie = sim.core.recordOf(sim.core.task(remote)!);
  const creates = [...sim.core.tasks()].filter((x) => x.body.prompt === task.prompt).length;
  return { state: task.state, resultUrls: task.result_urls, settled: ledger.map((l) => l.kind).filter((k) => k !== 'reserve'), kieState: kie.state, creates };
}

const queries = (sim: KieSimServer) => Object.values(sim.core.stats().accounts).reduce((n, a) => n + a.queryCalls, 0);

describe('callbacks without KIE_WEBHOOK_KEY: a cue, never a verdict', () => {
  let sim: KieSimServer;
  let t: TestServer;
  beforeAll(async () => ({ sim, t } = await setup()));
  afterAll(async () => {
    await t.stop();
    await sim.close();
  });

  it('a forged success, policy failure and retryable failure each make the task ask KIE; KIE says it is generating, so nothing ends, is charged, refunded or resubmitted', async () => {
    const { taskId, remote } = await runningTask(t);
    for (const body of [success(remote), failure(remote, 400, 'Content policy violation (safety)'), failure(remote, 501, 'Generation failed: internal error')]) {
      const asked = queries(sim);
      const res = await post(t, body);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ ok: true });
      await waitFor(async () => queries(sim) > asked, 'the confirming status query');
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(await facts(t, sim, taskId, remote)).toEqual({ state: 'polling', resultUrls: null, settled: [], kieState: expect.stringMatching(/^(waiting|queuing|generating)$/), creates: 1 });
  });

  it('answers the same for an id that exists and one that does not', async () => {
    const { remote } = await runningTask(t);
    const known = await post(t, success(remote));
    const unknown = await post(t, success('task_sora-2-text-to-video_0000000000000'));
    expect([known.status, await known.text()]).toEqual([unknown.status, await unknown.text()]);
  });

  it('shows no progress from an unsigned callback', async () => {
    const { client, batchId, taskId } = await runningTask(t);
    const remote = (await client.batch.tasks.query({ batchId })).items[0]!.remoteTaskId!;
    await post(t, progress(remote, 97));
    await new Promise((r) => setTimeout(r, 100));
    expect(t.server.deps!.fleet.supervisor.task(taskId)!.progress).not.toBe(97);
  });

  it('takes a callback at its account\u2019s URL (the job is asked at once) and refuses an unknown account', async () => {
    const { remote } = await runningTask(t);
    const asked = queries(sim);
    const own = await post(t, success(remote), {}, '/kie/callback/default');
    expect([own.status, await own.json()]).toEqual([200, { ok: true }]);
    await waitFor(async () => queries(sim) > asked, 'the confirming status query');
    const unknown = await post(t, success(remote), {}, '/kie/callback/nobody');
    expect([unknown.status, await unknown.json()]).toEqual([404, { ok: false, message: 'no KIE account "nobody"' }]);
  });

  it('takes small bodies only, with a readable 413', async () => {
    const res = await post(t, { ...success('x'), padding: 'x'.repeat(100 * 1024) });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/too large: the limit for POST \/kie\/callback is 65536 bytes/);
  });

  // last in this suite: it uses up the address's allowance
  it('is rate limited per address: past 1,000 calls a minute, 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) {
      const burst = await Promise.all(Array.from({ length: 50 }, () => post(t, success('task_flood'))));
      statuses.push(...burst.map((r) => r.status));
    }
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1_000);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40);
  }, 60_000);
});

describe('callbacks with KIE_WEBHOOK_KEY: signed, fresh, not replayed', () => {
  let sim: KieSimServer;
  let t: TestServer;
  beforeAll(async () => ({ sim, t } = await setup(WEBHOOK_KEY)));
  afterAll(async () => {
    await t.stop();
    await sim.close();
  });

  const signed = (remote: string, at = Date.now()) => {
    const ts = String(at);
    return { 'x-webhook-timestamp': ts, 'x-webhook-signature': signKieWebhook(remote, ts, WEBHOOK_KEY) };
  };

  it('refuses unsigned, wrongly signed and stale calls', async () => {
    const { taskId, remote } = await runningTask(t);
    expect((await post(t, success(remote))).status).toBe(401);
    expect((await post(t, success(remote), { ...signed(remote), 'x-webhook-signature': signKieWebhook(remote, '1', 'wrong-key') })).status).toBe(401);
    expect((await post(t, success(remote), signed(remote, Date.now() - 60 * 60_000))).status).toBe(401);
    expect((await post(t, { nonsense: true }, signed(remote))).status).toBe(400);
    expect(await facts(t, sim, taskId, remote)).toMatchObject({ state: 'polling', settled: [], creates: 1 });
  });

  it('a signed success is still only a cue: KIE says generating, so the task goes on', async () => {
    const { taskId, remote } = await runningTask(t);
    const asked = queries(sim);
    expect((await post(t, success(remote), signed(remote))).status).toBe(200);
    await waitFor(async () => queries(sim) > asked, 'the confirming status query');
    expect(await facts(t, sim, taskId, remote)).toMatchObject({ state: 'polling', resultUrls: null, settled: [], creates: 1 });
  });

  it('shows progress from a signed fresh callback once; a replay, even with a swapped body, is ignored', async () => {
    const { taskId, remote } = await runningTask(t);
    const headers = signed(remote);
    expect((await post(t, progress(remote, 42), headers)).status).toBe(200);
    await waitFor(async () => t.server.deps!.fleet.supervisor.task(taskId)!.progress === 42, 'the signed progress');
    const asked = queries(sim);
    // the same header pair again: exactly, then with another body
    expect((await post(t, progress(remote, 42), headers)).status).toBe(200);
    expect((await post(t, progress(remote, 99), headers)).status).toBe(200);
    expect((await post(t, success(remote), headers)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.server.deps!.fleet.supervisor.task(taskId)!.progress).toBe(42);
    expect(queries(sim) - asked).toBeLessThanOrEqual(1); // the replayed "success" asked KIE nothing (one scheduled poll may fall here)
    expect(await facts(t, sim, taskId, remote)).toMatchObject({ state: 'polling', settled: [], creates: 1 });
  });
});
