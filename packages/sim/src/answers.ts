import type { SimJob } from './jobs.ts';
import { progressAt, stateAt } from './timeline.ts';
import type { KieRecord, KieResponse, VeoRecord } from './wire.ts';

/**
 * A job as KIE's endpoints show it at a given time: recordInfo's record, Veo's record-info, the callback body,
 * the result URLs. Pure views of the job's timeline; times are reported in Unix ms like KIE.
 */
export class WireAnswers {
  constructor(
    /** Unix ms at clock time 0. */
    private readonly epochMs: number,
    /** Base of result URLs, without a trailing slash. */
    private readonly resultBaseUrl: () => string,
  ) {}

  /** The job's record at `at`, exactly as recordInfo returns its data. */
  recordOf(job: SimJob, at: number): KieRecord {
    const state = stateAt(job, at);
    const terminal = state === 'success' || state === 'fail';
    const failed = state === 'fail' && job.outcome.kind === 'fail' ? job.outcome : undefined;
    return {
      taskId: job.taskId,
      model: job.model,
      state,
      param: job.param,
      resultJson: state === 'success' ? this.resultJson(job.taskId) : '',
      failCode: failed ? failed.failCode : null,
      failMsg: failed ? failed.failMsg : null,
      costTime: terminal ? job.completeAt - job.createdAt : null,
      createTime: this.epochMs + job.createdAt,
      completeTime: terminal ? this.epochMs + job.completeAt : null,
      updateTime: this.epochMs + Math.min(at, job.completeAt),
      progress: state === 'success' ? 100 : state === 'generating' ? progressAt(job, at) : state === 'fail' ? progressAt(job, job.completeAt) : 0,
    };
  }

  /** A Veo job as `veo/record-info` returns it: `successFlag` 0 generating, 1 success, 3 generation failed. */
  veoRecordOf(job: SimJob, at: number): VeoRecord {
    const state = stateAt(job, at);
    const failed = state === 'fail' && job.outcome.kind === 'fail' ? job.outcome : undefined;
    const urls = state === 'success' ? this.resultUrls(job.taskId).resultUrls : undefined;
    return {
      taskId: job.taskId,
      paramJson: job.param,
      completeTime: state === 'success' || failed ? this.epochMs + job.completeAt : null,
      response: urls ? { taskId: job.taskId, resultUrls: urls, originUrls: urls, resolution: job.job.resolution } : null,
      successFlag: state === 'success' ? 1 : failed ? 3 : 0,
      errorCode: failed ? Number(failed.failCode) : null,
      errorMessage: failed ? failed.failMsg : '',
      createTime: this.epochMs + job.createdAt,
      fallbackFlag: false,
    };
  }

  /** The callback body KIE posts when the job ends, in its family's shape. */
  callbackBody(job: SimJob, at: number): KieResponse<unknown> {
    if (job.family === 'market') return { code: 200, msg: 'success', data: this.recordOf(job, at) };
    const r = this.veoRecordOf(job, at);
    if (r.successFlag === 1) return { code: 200, msg: 'success', data: { taskId: job.taskId, info: r.response, fallbackFlag: false } };
    return { code: r.errorCode ?? 501, msg: r.errorMessage || 'generation failed', data: { taskId: job.taskId } };
  }

  resultUrls(taskId: string): { resultUrls: string[]; resultWaterMarkUrls: string[] } {
    const base = this.resultBaseUrl();
    return { resultUrls: [videoUrl(base, taskId)], resultWaterMarkUrls: [watermarkUrl(base, taskId)] };
  }

  /** `JSON.stringify(resultUrls(taskId))`, written out: one string per success answer, no objects on the way. */
  private resultJson(taskId: string): string {
    const base = this.resultBaseUrl();
    return `{"resultUrls":[${JSON.stringify(videoUrl(base, taskId))}],"resultWaterMarkUrls":[${JSON.stringify(watermarkUrl(base, taskId))}]}`;
  }
}

const videoUrl = (base: string, taskId: string) => `${base}/${taskId}.mp4`;
const watermarkUrl = (base: string, taskId: string) => `${base}/${taskId}-wm.mp4`;
