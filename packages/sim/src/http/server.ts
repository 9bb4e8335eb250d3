import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { InjectedFault } from '../callFaults.ts';
import { SimKie, type SimStats, type SimTask } from '../core.ts';
import type { FaultSpec } from '../profiles/faults.ts';
import type { LatencyProfileName } from '../profiles/latency.ts';
import { kieError, type KieResponse } from '../wire.ts';
import { placeholderMp4 } from './placeholder.ts';
import { ScaledRealClock } from './scaledClock.ts';
import { signCallback } from './signature.ts';

export interface KieSimServerOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  host?: string;
  seed?: number;
  /** Simulated seconds per real second (e.g. 20, or 1000 for tests). Default 1. */
  timeScale?: number;
  /** Accepted Bearer keys, one KIE account each. Default ['sim-key']. */
  apiKeys?: string[];
  latency?: LatencyProfileName;
  faults?: FaultSpec;
  /** When set, callbacks carry X-Webhook-Timestamp and X-Webhook-Signature. */
  webhookKey?: string;
  /** Base URL clients should use to reach this server (result URLs); default the listening URL. */
  publicBaseUrl?: string;
  /** Log requests (fastify logger). Default false. */
  logger?: boolean;
}

export interface CallbackDeliveryStats {
  attempted: number;
  delivered: number;
  failed: number;
}

export interface KieSimServer {
  url: string;
  core: SimKie;
  stats(): SimStats & { callbackDeliveries: CallbackDeliveryStats };
  close(): Promise<void>;
}

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim();
}

/** KIE answers errors with HTTP 200 and the code in the body; 401 also uses HTTP 401 (real KIE does both). */
function send(reply: FastifyReply, body: KieResponse<unknown>): FastifyReply {
  return reply.code(body.code === 401 ? 401 : 200).send(body);
}

/** Starts the HTTP face: KIE's wire protocol over the simulator core, on scaled real time. */
export async function startKieSimServer(options: KieSimServerOptions = {}): Promise<KieSimServer> {
  const clock = new ScaledRealClock(options.timeScale ?? 1);
  const app = Fastify({ logger: options.logger ?? false });
  let baseUrl = options.publicBaseUrl?.replace(/\/$/, '') ?? '';
  const core = new SimKie({
    clock,
    seed: options.seed ?? 1,
    latency: options.latency ?? 'seed',
    ...(options.faults !== undefined ? { faults: options.faults } : {}),
    apiKeys: options.apiKeys ?? ['sim-key'],
    // Provider timestamps are Unix ms: simulated time starts at the real start time.
    epochMs: Date.now(),
    resultBaseUrl: () => `${baseUrl}/files`,
  });
  const deliveries: CallbackDeliveryStats = { attempted: 0, delivered: 0, failed: 0 };
  const inFlight = new Set<Promise<void>>();

  const post = (url: string | undefined, task: SimTask, body: KieResponse<unknown>) => {
    if (!url) return;
    const p = deliverCallback(url, task, body, options.webhookKey, deliveries).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  core.onCallback((task, body) => post(task.callBackUrl, task, body));
  core.onProgress((task, body) => post(task.progressCallBackUrl, task, body));

  // Malformed JSON and the like: KIE-style body codes, never a fastify HTML/JSON error page.
  app.setErrorHandler((error: { statusCode?: number; message: string }, _request, reply) => {
    const code = error.statusCode === 415 || error.statusCode === 400 ? 400 : 500;
    void reply.code(200).send(kieError(code, `${code === 400 ? 'Bad request' : 'Internal server error'}: ${error.message}`));
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.code(404).send(kieError(404, 'Not found'));
  });

  app.post('/api/v1/jobs/createTask', async (request, reply) => send(reply, core.createTask(bearer(request), request.body)));
  // Veo 3.1 has endpoints of its own: a flat generate body, and record-info with `successFlag`.
  app.post('/api/v1/veo/generate', async (request, reply) => send(reply, core.createTask(bearer(request), request.body, {}, 'veo')));

  app.get('/api/v1/jobs/recordInfo', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const taskId = typeof query.taskId === 'string' && query.taskId !== '' ? query.taskId : undefined;
    return send(reply, core.recordInfo(bearer(request), taskId));
  });
  app.get('/api/v1/veo/record-info', async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const taskId = typeof query.taskId === 'string' && query.taskId !== '' ? query.taskId : undefined;
    return send(reply, core.veoRecordInfo(bearer(request), taskId));
  });

  app.get('/files/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const match = /^(.+?)(-wm)?\.mp4$/.exec(name);
    const task = match ? core.task(match[1]!) : undefined;
    if (!task || core.recordOf(task).state !== 'success') return reply.code(404).send(kieError(404, 'File not found'));
    return reply.header('content-type', 'video/mp4').send(placeholderMp4(task.taskId));
  });

  // Test-only controls: force the next answers, read the counters, see a task's whole timeline.
  app.post('/__sim/faults', async (request, reply) => {
    const body = request.body as Partial<InjectedFault> | undefined;
    if (!body || (body.op !== 'create' && body.op !== 'query') || typeof body.code !== 'number') {
      return reply.code(400).send({ error: 'expected {"op":"create"|"query","code":<number>,"msg"?:string,"times"?:number}' });
    }
    core.injectFault({ op: body.op, code: body.code, ...(body.msg ? { msg: body.msg } : {}), ...(body.times ? { times: body.times } : {}) });
    return { ok: true };
  });
  app.get('/__sim/stats', async () => ({ ...core.stats(), callbackDeliveries: { ...deliveries }, simNowMs: clock.now() }));
  app.get('/__sim/tasks/:taskId', async (request, reply) => {
    const task = core.task((request.params as { taskId: string }).taskId);
    if (!task) return reply.code(404).send({ error: 'unknown task' });
    return { ...task, record: core.recordOf(task) };
  });

  const address = await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const url = address.replace(/\/$/, '');
  if (!baseUrl) baseUrl = url;

  return {
    url,
    core,
    stats: () => ({ ...core.stats(), callbackDeliveries: { ...deliveries } }),
    async close() {
      clock.clearAll();
      await Promise.allSettled([...inFlight]);
      await app.close();
    },
  };
}

async function deliverCallback(
  url: string,
  task: SimTask,
  body: KieResponse<unknown>,
  webhookKey: string | undefined,
  stats: CallbackDeliveryStats,
): Promise<void> {
  stats.attempted++;
  // Real (not simulated) time: the receiver checks freshness against its own wall clock.
  const timestamp = String(Date.now());
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (webhookKey) {
    headers['x-webhook-timestamp'] = timestamp;
    headers['x-webhook-signature'] = signCallback(task.taskId, timestamp, webhookKey);
  }
  // One timer cleared with the answer, not AbortSignal.timeout: that one keeps its timer, signal and fetch's abort
  // listener alive for the whole 10 s after every delivery (thousands at a time under load), as the KIE client found.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException('callback timed out after 10000 ms', 'TimeoutError')), 10_000);
  try {
    const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: abort.signal });
    if (res.ok) stats.delivered++;
    else stats.failed++;
    await res.body?.cancel();
  } catch {
    stats.failed++;
  } finally {
    clearTimeout(timer);
  }
}
