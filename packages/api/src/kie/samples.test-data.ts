/**
 * KIE response bodies in the shapes kie-api.md documents (the create sample is verbatim from it;
 * the recordInfo ones follow its field list, with JSON-string `param`/`resultJson` as KIE sends them).
 */
export const createOk = { code: 200, msg: 'success', data: { taskId: 'task_sora-2-pro-text-to-video_1765183463848' } };

export const createOkMessageSpelling = { code: 200, message: 'success', data: { taskId: 'task_sora-2-text-to-video_1' } };

export const recordNull = { code: 422, msg: 'recordInfo is null', data: null };

export const recordDataNull = { code: 200, msg: 'success', data: null };

export const recordGenerating = {
  code: 200,
  msg: 'success',
  data: {
    taskId: 'task_sora-2-pro-text-to-video_1765183463848',
    model: 'sora-2-pro-text-to-video',
    state: 'generating',
    param: '{"model":"sora-2-pro-text-to-video","input":{"prompt":"a cat","aspect_ratio":"landscape","n_frames":"15","size":"high"}}',
    resultJson: '',
    failCode: '',
    failMsg: '',
    costTime: null,
    createTime: 1765183463848,
    completeTime: null,
    updateTime: 1765183493848,
    progress: 42,
  },
};

export const recordSuccess = {
  code: 200,
  msg: 'success',
  data: {
    taskId: 'task_sora-2-pro-text-to-video_1765183463848',
    model: 'sora-2-pro-text-to-video',
    state: 'success',
    param: '{"model":"sora-2-pro-text-to-video","input":{"prompt":"a cat","aspect_ratio":"landscape","n_frames":"15","size":"high"}}',
    resultJson:
      '{"resultUrls":["https://tempfile.example/a.mp4"],"resultWaterMarkUrls":["https://tempfile.example/a-wm.mp4"]}',
    failCode: '',
    failMsg: '',
    costTime: 301,
    createTime: 1765183463848,
    completeTime: 1765183765848,
    updateTime: 1765183765848,
    progress: 100,
  },
};

export const recordFail = {
  code: 200,
  msg: 'success',
  data: {
    taskId: 'task_sora-2-text-to-video_9',
    model: 'sora-2-text-to-video',
    state: 'fail',
    param: '{}',
    resultJson: '',
    failCode: '501',
    failMsg: 'Content violates safety policy',
    createTime: 1765183463848,
    completeTime: 1765183500000,
    updateTime: 1765183500000,
    progress: 0,
  },
};

/** A failure callback where the reason is only in the envelope (body code 501). */
export const callbackFail501 = {
  code: 501,
  msg: 'generation failed: server overloaded',
  data: { taskId: 'task_sora-2-text-to-video_9', state: 'fail', resultJson: '', createTime: 1765183463848 },
};
