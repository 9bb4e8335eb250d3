import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, waitFor, type TestServer } from './helpers/server.ts';

/** An SSE response's messages as the fields each one sets (blocks setting nothing, such as a stray blank line, dropped). */
function messages(text: string): Array<Record<string, string>> {
  return text
    .split('\n\n')
    .map((block) => Object.fromEntries(block.split('\n').filter(Boolean).map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])))
    .filter((m) => Object.keys(m).length > 0);
}

/**
 * The progress subscriptions are written by our own SSE responder (GET, what httpSubscriptionLink sends); a POST
 * (method override) of the same subscription is still answered by tRPC itself. Both must say the same thing.
 */
describe('progress subscriptions over our SSE responder', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(new FakeKie({ jobMs: 20 }), { scale: 100 });
  });
  afterAll(() => t.stop());

  async function both(path: string, token: string, input: unknown, headers: Record<string, string> = {}) {
    const params = `connectionParams=${encodeURIComponent(JSON.stringify({ token }))}`;
    const ours = await fetch(`${t.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}&${params}`, { headers });
    const trpcs = await fetch(`${t.url}/trpc/${path}?${params}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(input) });
    return { ours, oursText: await ours.text(), trpcText: await trpcs.text() };
  }

  it("sends what tRPC's own SSE response sends, with the server's headers, for a log, a resumed log and an error", async () => {
    const alice = await t.user(10_000, 'alice');
    const bob = await t.user(10_000, 'bob');
    const { batchId } = await alice.client.batch.create.mutate({ rows: Array.from({ length: 4 }, (_, i) => ({ prompt: `p${i}` })) });
    await waitFor(async () => (await alice.client.batch.get.query({ batchId })).finishedAt !== null, 'the batch to finish');
    const { token } = await alice.client.me.linkToken.mutate({ scope: 'stream' });

    const whole = await both('batch.onProgress', token, { batchId });
    expect(whole.ours.status).toBe(200);
    expect(whole.ours.headers.get('content-type')).toBe('text/event-stream');
    expect(whole.ours.headers.get('x-request-id')).toBeTruthy();
    expect(whole.ours.headers.get('content-security-policy')).toContain("default-src 'self'");
    const sent = messages(whole.oursText);
    expect(sent).toEqual(messages(whole.trpcText));
    expect(sent[0]).toEqual({ event: 'connected', data: JSON.stringify({ reconnectAfterInactivityMs: 60_000 }) });
    expect(sent.at(-1)).toEqual({ event: 'return', data: '' });
    const ids = sent.filter((m) => m.id).map((m) => Number(m.id));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));

    // Resumed from a Last-Event-ID header, and grouped.
    const resumed = await both('batch.onProgress', token, { batchId }, { 'last-event-id': '3' });
    expect(messages(resumed.oursText)).toEqual(messages(resumed.trpcText));
    expect(messages(resumed.oursText)[1]!.id).toBe('4');
    const grouped = await both('batch.onProgressGrouped', token, { batchId, lastEventId: '2' });
    expect(messages(grouped.oursText)).toEqual(messages(grouped.trpcText));

    // Another user's batch, and no credential: the same error messages.
    const { token: bobs } = await bob.client.me.linkToken.mutate({ scope: 'stream' });
    for (const [who, input] of [[bobs, { batchId }], ['', { batchId }], [token, { batchId: 42 }]] as const) {
      const failed = await both('batch.onProgressGrouped', who, input);
      const said = messages(failed.oursText);
      expect(said).toEqual(messages(failed.trpcText));
      expect(said.map((m) => m.event)).toEqual(['connected', 'serialized-error']);
    }
  });

  it('an input that is not JSON gets the same error as from tRPC', async () => {
    const ours = await fetch(`${t.url}/trpc/batch.onProgress?input=%7Bnot-json`);
    const trpcs = await fetch(`${t.url}/trpc/batch.onProgress`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not-json' });
    const said = messages(await ours.text());
    expect(said).toEqual(messages(await trpcs.text()));
    expect(said.map((m) => m.event)).toEqual(['connected', 'serialized-error']);
    // Connection params tRPC cannot parse: answered by tRPC before anything runs, an HTTP error.
    const badParams = `${t.url}/trpc/batch.onProgress?connectionParams=%7Bnot-json`;
    const ourReply = await fetch(`${badParams}&input=${encodeURIComponent(JSON.stringify({ batchId: 'b' }))}`);
    const trpcReply = await fetch(badParams, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ batchId: 'b' }) });
    expect(ourReply.status).toBe(400);
    expect(ourReply.status).toBe(trpcReply.status);
    expect(await ourReply.json()).toEqual(await trpcReply.json());
  });
});
