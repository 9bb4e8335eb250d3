import type { RemoteStatus } from '@clipfleet/engine';
import { isObject, stringArray, toNumber, toText, toTimeMs } from './json.ts';

/**
 * Veo 3.1's own status shape (`GET /api/v1/veo/record-info` and its callbacks): `successFlag` 0 generating,
 * 1 success, 2 failed before completion, 3 generation failed; result URLs under `response` (`info` in callbacks).
 * Pure; never throws.
 */
export function veoRecordToStatus(data: unknown): RemoteStatus | { error: string } {
  if (!isObject(data)) return { error: 'record is not an object' };
  const taskId = toText(data.taskId);
  if (!taskId) return { error: 'record has no taskId' };
  const flag = toNumber(data.successFlag);
  let status: RemoteStatus;
  if (flag === 0) status = { state: 'generating' };
  else if (flag === 1) {
    status = { state: 'success' };
    const response = isObject(data.response) ? data.response : isObject(data.info) ? data.info : undefined;
    const urls = response ? stringArray(response.resultUrls) : undefined;
    if (urls) status.resultUrls = urls;
  } else if (flag === 2 || flag === 3) {
    // No code of its own: a failed generation (501), retryable once unless it is a policy refusal.
    status = { state: 'fail', failCode: toNumber(data.errorCode) ?? 501 };
    const message = toText(data.errorMessage);
    if (message) status.failMsg = message;
  } else return { error: `unknown successFlag ${JSON.stringify(data.successFlag)} for ${taskId}` };
  const createTime = toTimeMs(data.createTime);
  if (createTime !== undefined) status.createTime = createTime;
  const completeTime = toTimeMs(data.completeTime);
  if (completeTime !== undefined) status.completeTime = completeTime;
  return status;
}

/**
 * A Veo callback: success `{code: 200, data: {taskId, info: {resultUrls...}}}`, failure
 * `{code: 400|422|500|501, msg, data: {taskId}}` (no successFlag: the body code says it failed).
 */
export function veoCallbackToStatus(code: number | undefined, message: string, data: Record<string, unknown>): RemoteStatus | { error: string } {
  if (code === 200 || code === undefined) return veoRecordToStatus({ successFlag: 1, ...data });
  const status: RemoteStatus = { state: 'fail', failCode: code };
  if (message) status.failMsg = message;
  return status;
}
