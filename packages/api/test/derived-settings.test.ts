import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClipFleetClient, createServer } from '../src/index.ts';
import { lastingTestStorage } from './helpers/database.ts';

describe('settings derived at start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clipfleet-derived-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('PUBLIC_URL turns callbacks on for that start only: an admin edit does not store it, a start without it polls', async () => {
    const storage = await lastingTestStorage(dir, 'fleet.db');
    const adminKey = 'derived-settings-admin-key-0000000000';
    const start = async (publicUrl?: string) => {
      const server = createServer({ ...storage, port: 0, devCredits: 0, adminKey, kie: { mode: 'sim', timeScale: 100 }, ...(publicUrl ? { publicUrl } : {}) });
      const { url } = await server.start();
      return { server, admin: createClipFleetClient(url, adminKey) };
    };

    const first = await start('https://clipfleet.example.com');
    expect((await first.admin.admin.config.query()).provider.callbacks).toBe(true);
    // An admin edit stores the configuration: the derived flag must not go with it.
    await first.admin.admin.updatePlan.mutate({ planId: 'pro', patch: { concurrency: 4 } });
    expect((await first.admin.admin.config.query()).provider.callbacks).toBe(true);
    const stored = await first.server.deps!.db.selectFrom('settings').select('value').where('key', '=', 'fleet_config').executeTakeFirstOrThrow();
    expect(JSON.parse(stored.value).provider.callbacks).toBe(false);
    await first.server.stop();

    const second = await start();
    try {
      const config = await second.admin.admin.config.query();
      expect(config.provider.callbacks).toBe(false);
      expect(config.plans.find((p) => p.id === 'pro')!.concurrency).toBe(4);
    } finally {
      await second.server.stop();
    }
  });
});
