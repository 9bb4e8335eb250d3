import type { RemoteState, RemoteStatus } from '@clipfleet/engine';
import { isObject, stringArray, toNumber, toText, toTimeMs } from './json.ts';
import { veoCallbackToStatus } from './veo.ts';
import type { KieEnvelope, KieRecord } from './wire.ts';

/** Pure parsers for KIE responses. They never throw: bad input gives `undefined` or a reason string. */

const REMOTE_STATES: readonly RemoteState[] = ['waiting', 'queuing', 'generating', 'success', 'fail'];

/** `param` / `resultJson` are JSON strings in the docs; accept an already-parsed object too. */
export function parseJsonField(v: unknown): unknown {
  if (typeof v === 'string') {
    if (v.trim() === '') return undefined;
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return undefined;
    }
  }
  return isObject(v) || Array.isArray(v) ? v : undefined;
}

/** Reads `{ code, msg | message, data }`. Returns undefined when the body is not a JSON object. */
export function parseEnvelope(body: unknown): KieEnvelope | undefined {
  if (!isObject(body)) return undefined;
  const message = toText(body.msg) ?? toText(body.message) ?? '';
  return { code: toNumber(body.code), message, data: body.data ?? null };
}

/** Parses recordInfo's / a callback's `data`. A record needs at least a task id and a state. */
export function parseRecord(data: unknown): KieRecord | { error: string } {
  if (!isObject(data)) return { error: 'record is not an object' };
  const taskId = toText(data.taskId);
  if (!taskId) return { error: 'record has no taskId' };
  const state = toText(data.state);
  if (!state) return { error: `record ${taskId} has no state` };
  const result = parseJsonField(data.resultJson);
  const record: KieRecord = { taskId, state };
  const model = toText(data.model);
  if (model) record.model = model;
  const param = parseJsonField(data.param);
  if (param !== undefined) record.param = param;
  if (isObject(result)) {
    const urls = stringArray(result.resultUrls);
    const wm = stringArray(result.resultWaterMarkUrls);
    record.result = {};
    if (urls) record.result.resultUrls = urls;
    if (wm) record.result.resultWaterMarkUrls = wm;
  }
  // failCode keeps KIE's own type (string or number): the engine only compares and reports it.
  if ((typeof data.failCode === 'string' && data.failCode !== '') || typeof data.failCode === 'number') {
    record.failCode = data.failCode;
  }
  const failMsg = toText(data.failMsg);
  if (failMsg) record.failMsg = failMsg;
  const progress = toNumber(data.progress);
  if (progress !== undefined) record.progress = Math.min(100, Math.max(0, progress));
  const createTime = toTimeMs(data.createTime);
  if (createTime !== undefined) record.createTime = createTime;
  const completeTime = toTimeMs(data.completeTime);
  if (completeTime !== undefined) record.completeTime = completeTime;
  const updateTime = toTimeMs(data.updateTime);
  if (updateTime !== undefined) record.updateTime = updateTime;
  return record;
}

export function isRemoteState(s: string): s is RemoteState {
  return (REMOTE_STATES as readonly string[]).includes(s);
}

/** Maps a parsed record to the engine's view. Unknown states are an error, not a guess. */
export function recordToStatus(record: KieRecord): RemoteStatus | { error: string } {
  if (!isRemoteState(record.state)) return { error: `unknown state "${record.state}" for ${record.taskId}` };
  const status: RemoteStatus = { state: record.state };
  if (record.progress !== undefined) status.progress = record.progress;
  if (record.result?.resultUrls) status.resultUrls = record.result.resultUrls;
  if (record.failCode !== undefined) status.failCode = record.failCode;
  if (record.failMsg !== undefined) status.failMsg = record.failMsg;
  if (record.createTime !== undefined) status.createTime = record.createTime;
  if (record.completeTime !== undefined) status.completeTime = record.completeTime;
  return status;
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns milliseconds from `nowMs`, never negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, nowMs: number): number | undefined {
  if (header == null) return undefined;
  const v = header.trim();
  if (v === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  // Only accept something that looks like a date: Date.parse is lenient with bare numbers like "-5".
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

export type KieCallbackParse =
  | { ok: true; remoteTaskId: string; status: RemoteStatus; code: number | undefined }
  | { ok: false; reason: string };

/**
 * Parses a callback POST body (same shape as recordInfo's response). A failed generation may come
 * with a non-200 body code (501) and the reason only in `msg`: that becomes the status' failMsg.
 * Pure: the route decides what to do with the result (verify signature first, then apply idempotently).
 */
export function parseKieCallback(body: unknown): KieCallbackParse {
  const env = parseEnvelope(body);
  if (!env) return { ok: false, reason: 'callback body is not a JSON object' };
  // Veo's callbacks carry no `state`: its own shape (veo.ts). Market callbacks have the recordInfo shape.
  if (isObject(env.data) && env.data.state === undefined && toText(env.data.taskId)) {
    const status = veoCallbackToStatus(env.code, env.message, env.data);
    if ('error' in status) return { ok: false, reason: `callback: ${status.error}` };
    return { ok: true, remoteTaskId: toText(env.data.taskId)!, status, code: env.code };
  }
  const record = parseRecord(env.data);
  if ('error' in record) return { ok: false, reason: `callback: ${record.error}` };
  const status = recordToStatus(record);
  if ('error' in status) return { ok: false, reason: `callback: ${status.error}` };
  applyFailureEnvelope(status, env);
  return { ok: true, remoteTaskId: record.taskId, status, code: env.code };
}

/** A `fail` record with no failCode/failMsg of its own inherits the body's code and message. */
export function applyFailureEnvelope(status: RemoteStatus, env: KieEnvelope): void {
  if (status.state !== 'fail') return;
  if (status.failCode === undefined && env.code !== undefined && env.code !== 200) status.failCode = env.code;
  if (status.failMsg === undefined && env.message !== '' && env.code !== 200) status.failMsg = env.message;
}
