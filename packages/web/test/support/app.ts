import { createServer, type ServerOptions } from '@clipfleet/api';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { CHROMIUM } from '../global-setup.ts';

const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const shotsDir = join(webRoot, 'screenshots');
const docsShots = resolve(webRoot, '../../docs/screenshots');

/** A real API server on a free port serving the built client, and one Chromium page watching its console. */
export interface BrowserApp {
  server: ReturnType<typeof createServer>;
  baseUrl: string;
  apiKey: string;
  browser: Browser;
  page: Page;
  /** Console errors and warnings, and page errors, seen so far. */
  consoleProblems: string[];
  /** Saves a full-page screenshot (git-ignored); with UPDATE_SCREENSHOTS=1 also refreshes the README's copy. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startBrowserApp(opts: {
  kie: ServerOptions['kie'];
  context?: BrowserContextOptions;
  /** Start signed in with the dev key (as the sign-in page would leave it). */
  signedIn?: boolean;
  /** More server options (e.g. a faster metrics sampling). */
  server?: Partial<ServerOptions>;
}): Promise<BrowserApp> {
  mkdirSync(shotsDir, { recursive: true });
  const dataDir = join(tmpdir(), `clipfleet-web-${process.pid}-${Date.now()}-${Math.round(Math.random() * 1e6)}`);
  mkdirSync(dataDir, { recursive: true });
  const server = createServer({ dbPath: join(dataDir, 'web.db'), port: 0, host: '127.0.0.1', kie: opts.kie, webDist: join(webRoot, 'dist'), logger: false, ...opts.server });
  const baseUrl = (await server.start()).url.replace(/\/$/, '');
  const apiKey = server.devApiKey ?? '';
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, ...opts.context });
  if (opts.signedIn) await context.addInitScript((key) => localStorage.setItem('clipfleet.apiKey', key), apiKey);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const consoleProblems: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') consoleProblems.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => consoleProblems.push(`pageerror: ${err.message}`));
  return {
    server,
    baseUrl,
    apiKey,
    browser,
    page,
    consoleProblems,
    async shot(name) {
      const file = join(shotsDir, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      if (process.env.UPDATE_SCREENSHOTS === '1') {
        mkdirSync(docsShots, { recursive: true });
        copyFileSync(file, join(docsShots, `${name}.png`));
      }
    },
    async close() {
      await browser.close();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
