/** KIE's wire shapes (kie-api.md). Errors travel as HTTP 200 with the code in the body. */
export interface KieResponse<T> {
  code: number;
  msg: string;
  data: T | null;
}

export type KieState = 'waiting' | 'queuing' | 'generating' | 'success' | 'fail';

/** The `data` of a recordInfo answer (and of a callback body). */
export interface KieRecord {
  taskId: string;
  model: string;
  state: KieState;
  /** The create request body, as a JSON string. */
  param: string;
  /** `{"resultUrls":[...],"resultWaterMarkUrls":[...]}` as a JSON string on success, "" otherwise. */
  resultJson: string;
  failCode: string | null;
  failMsg: string | null;
  /** ms from create to completion once terminal (units vary in the wild: clients use the timestamps). */
  costTime: number | null;
  createTime: number;
  completeTime: number | null;
  updateTime: number;
  progress: number;
}

/** The `data` of a Veo `record-info` answer (kie-models.md). */
export interface VeoRecord {
  taskId: string;
  /** The generate request body, as a JSON string. */
  paramJson: string;
  completeTime: number | null;
  response: { taskId: string; resultUrls: string[]; originUrls: string[]; resolution: string } | null;
  /** 0 generating, 1 success, 2 failed before completion, 3 generation failed. */
  successFlag: 0 | 1 | 2 | 3;
  errorCode: number | null;
  errorMessage: string;
  createTime: number;
  fallbackFlag: boolean;
}

/** The messages KIE uses for each code (ours where KIE's wording is unknown). */
export const KIE_ERROR_MESSAGES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized: invalid or missing API key',
  402: 'Insufficient credits',
  404: 'Task not found',
  408: 'Upstream gave no result for more than 10 minutes',
  422: 'Validation error',
  429: 'Rate limited: too many requests, please slow down',
  433: 'Sub-key usage limit exceeded',
  455: 'Service under maintenance',
  500: 'Internal server error',
  501: 'Generation failed',
  505: 'Feature disabled',
};

export function kieError(code: number, msg?: string): KieResponse<never> {
  return { code, msg: msg ?? KIE_ERROR_MESSAGES[code] ?? `error ${code}`, data: null };
}
