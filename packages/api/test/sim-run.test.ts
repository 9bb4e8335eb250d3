import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeKie } from './helpers/fake-kie.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

describe('sim.run', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(new FakeKie({ jobMs: 10 }));
  });
  afterAll(() => t.stop());

  it('runs a seed-table scenario in virtual time and returns metrics and a time series', async () => {
    const { client } = await t.user(0);
    const run = await client.sim.run.mutate({ scenario: 'table', plan: 'pro', mix: '720p' });
    expect(run.strategy).toBe('clipfleet');
    expect(run.metrics.tasks).toBe(100);
    expect(run.metrics.succeeded).toBe(100);
    // the seed's table: 100 x 720p on pro ~ 42 min; virtual time, so this took far less on the wall
    expect(run.metrics.makespanS! / 60).toBeGreaterThan(30);
    expect(run.metrics.makespanS! / 60).toBeLessThan(55);
    expect(run.timeline.length).toBeGreaterThan(2);
  });

  it('rejects an unknown plan or fault profile with a 400 naming it', async () => {
    const { client } = await t.user(0);
    const e1 = await client.sim.run.mutate({ scenario: 'mixed', plan: 'gold' }).catch((e: unknown) => e);
    expect((e1 as TRPCClientError<any>).data?.httpStatus).toBe(400);
    expect((e1 as Error).message).toMatch(/plan: unknown plan "gold"/);
    const e2 = await client.sim.run.mutate({ scenario: 'mixed', tasksPerUser: 5, faults: 'meteor:9' }).catch((e: unknown) => e);
    expect((e2 as TRPCClientError<any>).data?.httpStatus).toBe(400);
    expect((e2 as Error).message).toMatch(/meteor/);
  });
});
