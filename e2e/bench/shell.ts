import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS } from '../playwright.config.ts';
import { FirebreakUser } from '../support/app.ts';
import { startServer, WEB_DIR } from '../support/server.ts';
import { summary, type BenchResult } from './stats.ts';

/** Slow 3G-ish: 1.6 Mbit/s down, 750 kbit/s up, 150 ms latency (Lighthouse's "slow 4G" figures). */
const THROTTLE = { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 };
const THROTTLED_RUNS = 5;
const INITIAL_JS_TARGET_KB = 150;

/** A fresh profile signed in as `user` (cookie only: no service worker, no HTTP cache, no local data). */
async function freshContext(browser: Browser, user: FirebreakUser, baseURL: string): Promise<BrowserContext> {
  const { cookies } = await user.context.storageState();
  return browser.newContext({ baseURL, storageState: { cookies, origins: [] } });
}

/** What a built file weighs gzipped, from the .gz the build wrote next to it. */
function gzipBytes(pathname: string): number {
  const file = path.join(WEB_DIR, pathname);
  return fs.existsSync(file + '.gz') ? fs.statSync(file + '.gz').size : fs.statSync(file).size;
}

export async function benchShell(): Promise<BenchResult[]> {
  const server = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS
  });
  try {
    const user = await FirebreakUser.open(browser, server, 'Bench');

    // 1. The JavaScript a first visit to the Checks dashboard loads (its whole module graph, as
    //    the browser fetched it), weighed gzipped; and what actually crossed the wire (brotli).
    const ctx = await freshContext(browser, user, server.url);
    const page = await ctx.newPage();
    await page.goto('/w/default');
    await page.waitForFunction(() => performance.getEntriesByName('firebreak:app-interactive').length > 0);
    await page.waitForLoadState('networkidle');
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((e) => e as PerformanceResourceTiming)
        .filter((e) => new URL(e.name).pathname.endsWith('.js') && new URL(e.name).pathname.startsWith('/_app/'))
        .map((e) => ({ path: new URL(e.name).pathname, wire: e.encodedBodySize, raw: e.decodedBodySize }))
    );
    await ctx.close();
    const unique = [...new Map(scripts.map((s) => [s.path, s])).values()];
    const gz = unique.reduce((n, s) => n + gzipBytes(s.path), 0) / 1000;
    const wire = unique.reduce((n, s) => n + s.wire, 0) / 1000;
    const raw = unique.reduce((n, s) => n + s.raw, 0) / 1000;

    // 2. First paint and first use under a throttled network, from a cold profile each time.
    const fcp: number[] = [];
    const interactive: number[] = [];
    for (let i = 0; i < THROTTLED_RUNS; i++) {
      const c = await freshContext(browser, user, server.url);
      const p = await c.newPage();
      const cdp = await c.newCDPSession(p);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', THROTTLE);
      await p.goto('/w/default', { waitUntil: 'commit' });
      const t = await p.waitForFunction(
        () => {
          const paint = performance.getEntriesByName('first-contentful-paint')[0]?.startTime;
          const ready = performance.getEntriesByName('firebreak:app-interactive')[0]?.startTime;
          return paint !== undefined && ready !== undefined ? [paint, ready] : null;
        },
        undefined,
        { timeout: 60_000, polling: 50 }
      );
      const [paint, ready] = (await t.jsonValue()) as [number, number];
      fcp.push(paint);
      interactive.push(ready);
      await c.close();
    }
    const f = summary(fcp);
    const r = summary(interactive);
    const kb = { runs: 1, median: gz, min: gz, max: gz };
    return [
      {
        name: 'initial JavaScript, gzip (first visit to the Checks dashboard)',
        target: `≤ ${INITIAL_JS_TARGET_KB} KB`,
        unit: 'KB',
        ...kb,
        pass: gz <= INITIAL_JS_TARGET_KB,
        note: `${unique.length} modules loaded by the browser, their build's .gz sizes summed; on the wire (brotli) ${wire.toFixed(1)} KB, uncompressed ${raw.toFixed(1)} KB`
      },
      {
        name: 'throttled 1.6 Mbit/s, 150 ms: first contentful paint (app shell)',
        target: '(none)',
        unit: 'ms',
        ...f,
        pass: true,
        note: 'cold profile each run, CDP Network.emulateNetworkConditions; the skeleton in index.html paints before the JavaScript arrives'
      },
      {
        name: 'throttled 1.6 Mbit/s, 150 ms: app interactive',
        target: '(none)',
        unit: 'ms',
        ...r,
        pass: true,
        note: 'the performance mark "firebreak:app-interactive" (the workspace header and page mounted)'
      }
    ];
  } finally {
    await browser.close();
    await server.stop();
  }
}
