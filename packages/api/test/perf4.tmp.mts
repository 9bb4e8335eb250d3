import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer } from './helpers/server.ts';
const t = await startTestServer(new FakeKie({ jobMs: 100000 }), { scale: 1 });
const u = await t.user(100_000_000);
const rows = (tag: string) => Array.from({ length: 500 }, (_, i) => ({ prompt: `${tag} #${i}: a red fox running through fresh snow at dawn, cinematic, 35mm` }));
const times: number[] = [];
for (let i = 0; i < 60; i++) { const t0 = performance.now(); await u.client.batch.create.mutate({ name: 'x' + i, rows: rows('c' + i), paused: true }); times.push(performance.now() - t0); }
const s = times.slice(5).sort((a, b) => a - b); console.log('500 rows p50', s[27]!.toFixed(1), 'p95', s[52]!.toFixed(1));
await t.stop();
