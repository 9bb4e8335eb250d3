import { describe, expect, it } from 'vitest';
import { parseEnvelope, parseJsonField, parseKieCallback, parseRecord, parseRetryAfter, recordToStatus } from './parse.ts';
import * as s from './samples.test-data.ts';

describe('parseEnvelope', () => {
  it('reads msg or message, and numeric-string codes', () => {
    expect(parseEnvelope(s.createOk)).toEqual({ code: 200, message: 'success', data: s.createOk.data });
    expect(parseEnvelope(s.createOkMessageSpelling)?.message).toBe('success');
    expect(parseEnvelope({ code: '429', msg: 'slow down' })).toEqual({ code: 429, message: 'slow down', data: null });
  });
  it('leaves code undefined when absent and rejects non-objects', () => {
    expect(parseEnvelope({ data: 1 })?.code).toBeUndefined();
    expect(parseEnvelope([1, 2])).toBeUndefined();
    expect(parseEnvelope('x')).toBeUndefined();
    expect(parseEnvelope(null)).toBeUndefined();
  });
});

describe('parseJsonField', () => {
  it('parses JSON strings, passes objects, ignores junk', () => {
    expect(parseJsonField('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonField({ a: 1 })).toEqual({ a: 1 });
    expect(parseJsonField('')).toBeUndefined();
    expect(parseJsonField('{broken')).toBeUndefined();
    expect(parseJsonField(42)).toBeUndefined();
  });
});

describe('parseRecord + recordToStatus', () => {
  it('maps a success record: resultUrls from the resultJson string, times, progress', () => {
    const rec = parseRecord(s.recordSuccess.data);
    expect(rec).toMatchObject({
      taskId: s.recordSuccess.data.taskId,
      model: 'sora-2-pro-text-to-video',
      state: 'success',
      param: { model: 'sora-2-pro-text-to-video', input: { n_frames: '15', size: 'high' } },
      result: { resultUrls: ['https://tempfile.example/a.mp4'], resultWaterMarkUrls: ['https://tempfile.example/a-wm.mp4'] },
    });
    if ('error' in rec) throw new Error(rec.error);
    expect(recordToStatus(rec)).toEqual({
      state: 'success',
      progress: 100,
      resultUrls: ['https://tempfile.example/a.mp4'],
      createTime: 1765183463848,
      completeTime: 1765183765848,
    });
  });
  it('maps a generating record without inventing fields (empty failCode/failMsg/resultJson dropped)', () => {
    const rec = parseRecord(s.recordGenerating.data);
    if ('error' in rec) throw new Error(rec.error);
    expect(recordToStatus(rec)).toEqual({ state: 'generating', progress: 42, createTime: 1765183463848 });
  });
  it('keeps failCode as KIE typed it and the failMsg', () => {
    const rec = parseRecord(s.recordFail.data);
    if ('error' in rec) throw new Error(rec.error);
    expect(recordToStatus(rec)).toMatchObject({ state: 'fail', failCode: '501', failMsg: 'Content violates safety policy' });
  });
  it('accepts resultJson as an object and numeric-string times, clamps progress', () => {
    const rec = parseRecord({ taskId: 't', state: 'success', resultJson: { resultUrls: ['u', 3, ''] }, createTime: '1000', progress: 140 });
    if ('error' in rec) throw new Error(rec.error);
    expect(recordToStatus(rec)).toEqual({ state: 'success', resultUrls: ['u'], createTime: 1000, progress: 100 });
  });
  it('reports records without a task id or state, and unknown states', () => {
    expect(parseRecord(null)).toEqual({ error: 'record is not an object' });
    expect(parseRecord({ state: 'success' })).toEqual({ error: 'record has no taskId' });
    expect(parseRecord({ taskId: 't' })).toEqual({ error: 'record t has no state' });
    const rec = parseRecord({ taskId: 't', state: 'exploded' });
    if ('error' in rec) throw new Error(rec.error);
    expect(recordToStatus(rec)).toEqual({ error: 'unknown state "exploded" for t' });
  });
  it('keeps every waiting state', () => {
    for (const state of ['waiting', 'queuing', 'generating'] as const) {
      const rec = parseRecord({ taskId: 't', state });
      if ('error' in rec) throw new Error(rec.error);
      expect(recordToStatus(rec)).toEqual({ state });
    }
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-28T02:00:00Z');
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
  });
  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Sat, 28 Nov 2026 02:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sat, 28 Nov 2026 01:59:00 GMT', now)).toBe(0);
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('parseKieCallback', () => {
  it('parses a success callback (same shape as recordInfo)', () => {
    expect(parseKieCallback(s.recordSuccess)).toEqual({
      ok: true,
      code: 200,
      remoteTaskId: s.recordSuccess.data.taskId,
      status: expect.objectContaining({ state: 'success', resultUrls: ['https://tempfile.example/a.mp4'] }),
    });
  });
  it('takes failCode/failMsg from the envelope when the record has none (code 501)', () => {
    const r = parseKieCallback(s.callbackFail501);
    expect(r).toMatchObject({ ok: true, code: 501, status: { state: 'fail', failCode: 501, failMsg: 'generation failed: server overloaded' } });
  });
  it('prefers the record\'s own failMsg', () => {
    const r = parseKieCallback({ ...s.recordFail, code: 501, msg: 'generic' });
    expect(r).toMatchObject({ ok: true, status: { failCode: '501', failMsg: 'Content violates safety policy' } });
  });
  it('rejects bodies it cannot attribute to a task', () => {
    expect(parseKieCallback('nope')).toEqual({ ok: false, reason: 'callback body is not a JSON object' });
    expect(parseKieCallback({ code: 200, data: null })).toEqual({ ok: false, reason: 'callback: record is not an object' });
    expect(parseKieCallback({ code: 200, data: { state: 'success' } })).toEqual({ ok: false, reason: 'callback: record has no taskId' });
    expect(parseKieCallback({ code: 200, data: { taskId: 't', state: 'weird' } }).ok).toBe(false);
  });
});
