import { createClipFleetClient } from '@clipfleet/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from './support/app.ts';

/**
 * The admin monitoring page in Chromium, after a batch ran against the simulated KIE (30 % of prompts refused):
 * five charts drawn from the server's metric samples, the seed's target named, and the degradation state.
 */
let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp({
    kie: { mode: 'sim', timeScale: 400, faults: 'policy:30' },
    signedIn: true,
    server: { metricsIntervalMs: 250 },
  });
});

afterAll(async () => {
  await app?.close();
});

describe('monitoring page', () => {
  it('asks for the admin key, then draws the charts and the degradation state', async () => {
    const { page, baseUrl } = app;
    const client = createClipFleetClient(baseUrl, app.apiKey);
    const { batchId } = await client.batch.create.mutate({ rows: Array.from({ length: 8 }, (_, i) => ({ prompt: `a glacier calving, take ${i + 1}` })) });
    await expect.poll(async () => (await client.batch.get.query({ batchId })).state, { timeout: 60_000, interval: 200 }).toBe('finished');
    const batch = await client.batch.get.query({ batchId });

    await page.goto(`${baseUrl}/#/monitor`);
    await page.getByRole('heading', { name: 'Monitoring' }).waitFor();
    await page.getByLabel('Admin key').fill('not-the-admin-key-at-all');
    await page.getByRole('button', { name: 'Show monitoring' }).click();
    await page.getByRole('alert').filter({ hasText: 'admin key was not accepted' }).waitFor();
    // The user stays signed in: a refused admin key is not a refused user key.
    await page.getByRole('button', { name: 'Enter another' }).click();
    app.consoleProblems.length = 0; // the refused request (401) was asked for

    await page.getByLabel('Admin key').fill(app.server.adminKey);
    await page.getByRole('button', { name: 'Show monitoring' }).click();
    await page.getByText('seed target: below 10 %').waitFor();

    // Degradation now: the provider and the dev user, with their levels.
    expect(await page.getByTestId('provider-state').textContent()).toMatch(/KIE healthy/);
    const users = page.getByRole('table', { name: "Users' concurrency" });
    await users.getByRole('cell', { name: 'dev', exact: true }).waitFor();
    expect(await users.textContent()).toMatch(/normal|degraded/);

    // Five charts, each a canvas with something drawn on it (not a blank box).
    const charts = ['chart-failure-rate', 'chart-processing', 'chart-kie-calls', 'chart-credits', 'chart-concurrency'];
    for (const id of charts) {
      await page.getByTestId(id).locator('canvas').first().waitFor();
    }
    await expect
      .poll(
        () =>
          page.evaluate((ids) => {
            return ids.map((id) => {
              const canvas = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"] canvas`);
              if (!canvas || canvas.width === 0) return 0;
              const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
              let inked = 0;
              for (let i = 3; i < data.length; i += 4 * 7) if (data[i]! > 0) inked++;
              return inked;
            });
          }, charts),
        { timeout: 15_000 },
      )
      .toSatisfy((inked: number[]) => inked.every((n) => n > 200));

    await app.shot('monitoring');
    // The seed's target is drawn on the failure-rate chart: its dashed line's colour (#f5a524) is on the canvas.
    const targetInk = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="chart-failure-rate"] canvas')!;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i]! - 245) < 14 && Math.abs(data[i + 1]! - 165) < 14 && Math.abs(data[i + 2]! - 36) < 20 && data[i + 3]! > 120) n++;
      }
      return n;
    });
    expect(targetInk).toBeGreaterThan(50);

    // The failure rate the page charts is the batch's: refusals happened, so the samples saw them.
    const monitor = await createClipFleetClient(baseUrl, app.server.adminKey).admin.monitor.query();
    expect(monitor.samples.at(-1)!.outcomes.failed).toBe(batch.counts.failed);
    expect(batch.counts.failed).toBeGreaterThan(0);
    // Reading the canvases back (above) makes Chromium suggest willReadFrequently: the test's doing, not the page's.
    expect(app.consoleProblems.filter((p) => !p.includes('willReadFrequently'))).toEqual([]);
  });
});
