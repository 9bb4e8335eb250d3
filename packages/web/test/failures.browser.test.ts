import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserApp, type BrowserApp } from './support/app.ts';

/**
 * Failures in the browser: a server whose simulated KIE refuses half the prompts on content policy, so the batch
 * detail page has failures to group by cause and to retry.
 */

/** The form's default: the catalog's first live model, Kling 2.6 at 1080p, 10 s. */
const PRICE = 55;

let app: BrowserApp;
let baseUrl = '';
let page: Page;
let consoleProblems: string[] = [];

beforeAll(async () => {
  app = await startBrowserApp({ kie: { mode: 'sim', timeScale: 400, faults: 'policy:50', seed: 7 }, signedIn: true });
  ({ baseUrl, page, consoleProblems } = app);
});

afterAll(async () => {
  await app?.close();
});

describe('failures in chromium', () => {
  it('groups failed tasks by cause and re-queues them with Retry failed', async () => {
    await page.goto(`${baseUrl}/#/new`);
    const prompts = Array.from({ length: 8 }, (_, i) => `Failure analysis clip ${i + 1}: a crowd at a stadium`);
    await page.getByLabel(/Prompts/).fill(prompts.join('\n'));
    await page.getByRole('button', { name: /^Submit 8 videos/ }).click();
    await page.waitForURL(/#\/batches\/.+/);
    await expect.poll(() => page.getByTestId('progress-text').textContent(), { timeout: 45_000 }).toMatch(/^8 \/ 8 finished/);

    const analysis = page.getByRole('region', { name: 'Failure analysis' });
    await expect.poll(() => analysis.textContent()).toMatch(/content policy/);
    const failed = Number(await page.getByTestId('count-failed').getAttribute('data-count'));
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(8);
    await app.shot('batch-failures');

    const refunded = async () => Number(/refunded ([\d,]+) credits/.exec((await page.getByTestId('batch-credits').textContent()) ?? '')?.[1]?.replace(/,/g, ''));
    await expect.poll(refunded).toBe(failed * PRICE);
    await page.getByRole('button', { name: `Retry failed (${failed})` }).click();
    // Content-policy refusals are decided per prompt: the retried tasks are reserved again, run again, fail
    // again and are refunded again.
    await expect.poll(refunded, { timeout: 30_000 }).toBe(2 * failed * PRICE);
    await expect.poll(() => page.getByTestId('progress-text').textContent(), { timeout: 30_000 }).toMatch(/^8 \/ 8 finished/);
    expect(consoleProblems).toEqual([]);
  });
});
