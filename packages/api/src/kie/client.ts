import {
  DEFAULT_CONFIG,
  type Catalog,
  type CreateTaskRequest,
  type CreateTaskResult,
  type GetTaskResult,
  type KieGateway,
  type ProviderError,
  type ProviderFamily,
  type TaskSpec,
} from '@clipfleet/engine';
import { FAMILY_ADAPTERS, type FamilyAdapter } from './families.ts';
import { applyFailureEnvelope, parseEnvelope, parseRetryAfter } from './parse.ts';
import { buildCreateTaskBody, errorText, type ResolvedPrompt } from './request.ts';
import type { KieEnvelope } from './wire.ts';

export interface KieHttpGatewayOptions {
  /** e.g. `https://api.kie.ai` (KIE_BASE_URL); a trailing slash is fine. */
  baseUrl: string;
  apiKey: string;
  /** Injected for tests; Node 20's global fetch otherwise. */
  fetch?: typeof fetch;
  /** Sent as `callBackUrl` on createTask when the host is reachable from KIE (PUBLIC_URL). */
  callBackUrl?: string;
  progressCallBackUrl?: string;
  /** Per request, headers and body included. Default 30 s. */
  requestTimeoutMs?: number;
  /** Used when `task.prompt` is undefined (the host keeps prompts out of memory). */
  resolvePrompt?: (taskId: string) => Promise<ResolvedPrompt | undefined>;
  /**
   * The host's runtime catalog; the shipped default otherwise. Read on every createTask (never copied),
   * so a getter here follows admin edits without rebuilding the gateway.
   */
  catalog?: Catalog;
  /** Clock for Retry-After HTTP dates. */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The outcome of one HTTP exchange: a parsed envelope with its effective code, or a transport error. */
type Exchange = { ok: true; env: KieEnvelope; code: number; retryAfterMs?: number } | { ok: false; error: ProviderError };

/**
 * The real KIE client behind the engine's KieGateway port, one adapter per provider family (families.ts):
 * the task's model picks it, through the catalog. It never throws: every failure
 * (DNS, refused, reset, timeout, non-JSON, unexpected shape) is a `{ ok: false }` result, and
 * transport-level failures use code 0. The body `code` is the truth even inside HTTP 200.
 */
export function createKieHttpGateway(opts: KieHttpGatewayOptions): KieGateway {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = opts.now ?? Date.now;
  const catalog = () => opts.catalog ?? DEFAULT_CONFIG.catalog;
  /** A model the catalog no longer lists (an admin edit while it ran) is asked where most models are. */
  const adapterFor = (task: TaskSpec | undefined): FamilyAdapter => {
    const family: ProviderFamily = (task && catalog().models.find((m) => m.id === task.model)?.family) || 'market';
    return FAMILY_ADAPTERS[family];
  };
  const headers = { Authorization: `Bearer ${opts.apiKey}`, 'Content-Type': 'application/json', Accept: 'application/json' };

  async function exchange(method: 'GET' | 'POST', url: string, body?: unknown): Promise<Exchange> {
    let res: Response;
    let text: string;
    // A timer cleared with the answer, not AbortSignal.timeout: that one keeps its timer, signal and fetch's abort
    // listener alive for the whole timeout after every request (thousands at a time, all promoted to old space).
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
    try {
      const init: RequestInit = { method, headers, signal: abort.signal };
      if (body !== undefined) init.body = JSON.stringify(body);
      res = await doFetch(url, init);
      // The body read is inside the same try: a reset or the timeout can hit mid-body.
      text = await res.text();
    } catch (err) {
      return { ok: false, error: { code: 0, message: transportMessage(err, method, timeoutMs) } };
    } finally {
      clearTimeout(timer);
    }
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), now());
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = undefined;
    }
    const env = parseEnvelope(json);
    if (!env) {
      // No body code to trust: an HTTP error status is the next best evidence (e.g. a proxy's 502 page);
      // a 2xx without a readable body says nothing about the task, so it is a transport failure (0).
      const code = res.status >= 400 ? res.status : 0;
      const error: ProviderError = { code, message: `non-JSON response (HTTP ${res.status}): ${snippet(text)}` };
      if (retryAfterMs !== undefined) error.retryAfterMs = retryAfterMs;
      return { ok: false, error };
    }
    const code = env.code ?? res.status;
    const out: Exchange = { ok: true, env, code };
    if (retryAfterMs !== undefined) out.retryAfterMs = retryAfterMs;
    return out;
  }

  function envelopeError(x: Extract<Exchange, { ok: true }>): ProviderError {
    const error: ProviderError = { code: x.code, message: x.env.message || `KIE code ${x.code}` };
    if (x.retryAfterMs !== undefined) error.retryAfterMs = x.retryAfterMs;
    return error;
  }

  async function resolve(req: CreateTaskRequest): Promise<{ ok: true; value: ResolvedPrompt } | { ok: false; error: ProviderError }> {
    const { task } = req;
    const fromTask: ResolvedPrompt = { prompt: task.prompt ?? '' };
    if (task.aspectRatio) fromTask.aspectRatio = task.aspectRatio;
    if (task.imageUrls?.length) fromTask.imageUrls = task.imageUrls;
    if (task.prompt !== undefined) return { ok: true, value: fromTask };
    if (!opts.resolvePrompt) {
      // A host bug, not a provider condition: 400 (fail, not retryable) matches kie-api.md's "bug" row.
      return { ok: false, error: { code: 400, message: `not sent: task ${task.taskId} has no prompt and no resolvePrompt hook` } };
    }
    let got: ResolvedPrompt | undefined;
    try {
      got = await opts.resolvePrompt(task.taskId);
    } catch (err) {
      // Probably transient (a DB hiccup): code 0 lets the engine retry like any transport failure.
      return { ok: false, error: { code: 0, message: `not sent: resolvePrompt(${task.taskId}) failed: ${errorText(err)}` } };
    }
    if (!got || typeof got.prompt !== 'string') {
      return { ok: false, error: { code: 400, message: `not sent: no prompt found for task ${task.taskId}` } };
    }
    const value: ResolvedPrompt = { prompt: got.prompt };
    const aspectRatio = got.aspectRatio ?? task.aspectRatio;
    if (aspectRatio) value.aspectRatio = aspectRatio;
    const imageUrls = got.imageUrls ?? task.imageUrls;
    if (imageUrls?.length) value.imageUrls = imageUrls;
    return { ok: true, value };
  }

  return {
    async createTask(req: CreateTaskRequest): Promise<CreateTaskResult> {
      try {
        const resolved = await resolve(req);
        if (!resolved.ok) return resolved;
        const built = buildCreateTaskBody(req.task, resolved.value, {
          ...(opts.catalog ? { catalog: opts.catalog } : {}),
          ...(opts.callBackUrl ? { callBackUrl: opts.callBackUrl } : {}),
          ...(opts.progressCallBackUrl ? { progressCallBackUrl: opts.progressCallBackUrl } : {}),
        });
        if (!built.ok) return built;
        const x = await exchange('POST', base + FAMILY_ADAPTERS[built.family].createPath, built.body);
        if (!x.ok) return x;
        if (x.code !== 200) return { ok: false, error: envelopeError(x) };
        const data = x.env.data;
        const taskId = typeof data === 'object' && data !== null ? (data as { taskId?: unknown }).taskId : undefined;
        if (typeof taskId !== 'string' || taskId === '') {
          return { ok: false, error: { code: 0, message: 'createTask answered 200 without data.taskId' } };
        }
        return { ok: true, remoteTaskId: taskId };
      } catch (err) {
        // Defensive: the port promises no throws, whatever an injected fetch or hook does.
        return { ok: false, error: { code: 0, message: `createTask: unexpected ${errorText(err)}` } };
      }
    },

    async getTask(remoteTaskId: string, task?: TaskSpec): Promise<GetTaskResult> {
      try {
        const adapter = adapterFor(task);
        const x = await exchange('GET', base + adapter.recordPath(remoteTaskId));
        if (!x.ok) return x;
        const { env, code } = x;
        // 501 = the generation failed: that is a terminal task state, not a failed query.
        if (code === 501) return failedGeneration(env, adapter);
        if (code !== 200) return { ok: false, error: envelopeError(x) };
        if (env.data === null || env.data === undefined) {
          // Right after createTask the record may not exist yet; the engine owns the grace period.
          return { ok: false, error: { code: 422, message: env.message && env.message !== 'success' ? env.message : 'recordInfo is null' } };
        }
        const status = adapter.toStatus(env.data);
        if ('error' in status) return { ok: false, error: { code: 0, message: `recordInfo: ${status.error}` } };
        applyFailureEnvelope(status, env);
        return { ok: true, status };
      } catch (err) {
        return { ok: false, error: { code: 0, message: `getTask: unexpected ${errorText(err)}` } };
      }
    },
  };
}

/** A 501 body: use the record when there is one, otherwise the envelope alone says "failed, because msg". */
function failedGeneration(env: KieEnvelope, adapter: FamilyAdapter): GetTaskResult {
  const read = adapter.toStatus(env.data);
  if (!('error' in read)) {
    read.state = 'fail';
    applyFailureEnvelope(read, env);
    return { ok: true, status: read };
  }
  const status: GetTaskResult = { ok: true, status: { state: 'fail', failCode: 501 } };
  if (env.message) status.status.failMsg = env.message;
  return status;
}

function transportMessage(err: unknown, method: string, timeoutMs: number): string {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') return `${method} timed out after ${timeoutMs} ms`;
  // Node's fetch wraps the socket error: "fetch failed" with cause { code: 'ECONNREFUSED' }.
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  const detail = cause && (typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : '');
  return `network error: ${errorText(err)}${detail ? ` (${detail})` : ''}`;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 120)}…` : t || '(empty body)';
}
