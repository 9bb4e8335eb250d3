import { createServer } from '@clipfleet/api';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM } from './global-setup.ts';

/**
 * Failures in the browser: a server whose simulated KIE refuses half the prompts on content policy, so the batch
 * detail page has failures to group by cause and to retry.
 */

const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shotsDir = join(webRoot, 'screenshots');
const docsShots = resolve(webRoot, '../../docs/screenshots');

let server: ReturnType<typeof createServer>;
let baseUrl = '';
let browser: Browser;
let page: Page;
let dataDir = '';
const consoleProblems: string[] = [];

beforeAll(async () => {
  mkdirSync(shotsDir, { recursive: true });
  mkdirSync(docsShots, { recursive: true });
  dataDir = join(tmpdir(), `clipfleet-web-failures-${process.pid}-${Date.now()}`);
  mkdirSync(dataDir, { recursive: true });
  server = createServer({
    dbPath: join(dataDir, 'web.db'),
    port: 0,
    host: '127.0.0.1',
    kie: { mode: 'sim', timeScale: 400, faults: 'policy:50', seed: 7 },
    webDist: join(webRoot, 'dist'),
    logger: false,
  });
  baseUrl = (await server.start()).url.replace(/\/$/, '');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  // Signed in already: the key sits where the sign-in page puts it.
  await context.addInitScript((key) => localStorage.setItem('clipfleet.apiKey', key), server.devApiKey ?? '');
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') consoleProblems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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
    await page.screenshot({ path: join(shotsDir, 'batch-failures.png'), fullPage: true });
    copyFileSync(join(shotsDir, 'batch-failures.png'), join(docsShots, 'batch-failures.png'));

    const refunded = async () => Number(/refunded ([\d,]+) credits/.exec((await page.getByTestId('batch-credits').textContent()) ?? '')?.[1]?.replace(/,/g, ''));
    await expect.poll(refunded).toBe(failed * 20);
    await page.getByRole('button', { name: `Retry failed (${failed})` }).click();
    // Content-policy refusals are decided per prompt: the retried tasks are reserved again, run again, fail
    // again and are refunded again.
    await expect.poll(refunded, { timeout: 30_000 }).toBe(2 * failed * 20);
    await expect.poll(() => page.getByTestId('progress-text').textContent(), { timeout: 30_000 }).toMatch(/^8 \/ 8 finished/);
    expect(consoleProblems).toEqual([]);
  });
});
