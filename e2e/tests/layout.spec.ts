import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures.ts';
import { FirebreakUser } from '../support/app.ts';
import {
  horizontalOverflow,
  openAs,
  SCHEMES,
  startTour,
  VIEWPORTS,
  type TourStop,
  type ViewportName
} from '../support/tour.ts';

// axe takes seconds per page on a busy machine; traces would double that.
test.use({ trace: 'off' });

/**
 * Every page at a phone (390 × 844) and a desktop (1440 × 900), light and dark: nothing scrolls
 * sideways (neither the page nor its main area), the page's main actions are visible, and axe-core
 * finds no serious or critical violation (contrast included).
 */
test.describe('every page fits and passes axe', () => {
  test.describe.configure({ mode: 'serial' });
  let tour: Awaited<ReturnType<typeof startTour>>;
  test.beforeAll(async ({ browser }) => {
    test.setTimeout(120_000);
    tour = await startTour(browser);
  });
  test.afterAll(async () => {
    await tour?.admin.close();
    await tour?.server.stop();
  });

  const NAMES = ['checks', 'check', 'incidents', 'insights', 'incident', 'settings', 'workspaces', 'join', 'not-found'];
  for (const name of NAMES) {
    test(`${name}: no sideways scroll, main actions visible, 0 serious axe violations (light and dark)`, async ({
      browser
    }) => {
      test.setTimeout(300_000);
      const stop: TourStop = tour.stops.find((s) => s.name === name)!;
      for (const size of Object.keys(VIEWPORTS) as ViewportName[])
        for (const scheme of SCHEMES) {
          const { context, page } = await openAs(browser, tour, stop, size, scheme);
          const where = `${name} at ${size}, ${scheme}`;
          expect(await horizontalOverflow(page), `${where}: page scrolls sideways`).toBeLessThanOrEqual(0);
          const mainOverflow = await page.evaluate(() => {
            const main = document.querySelector('main');
            return main ? main.scrollWidth - main.clientWidth : 0;
          });
          expect(mainOverflow, `${where}: main area scrolls sideways`).toBeLessThanOrEqual(0);
          expect(await page.evaluate(() => getComputedStyle(document.documentElement).colorScheme)).toContain(scheme);
          // Overflow is checked in all four; axe audits each layout and each theme once (phone in dark,
          // desktop in light), which covers every token and every responsive rule at half the cost.
          const audit = (size === 'phone') === (scheme === 'dark');
          if (!audit) {
            await context.close();
            continue;
          }
          const { violations } = await new AxeBuilder({ page }).options({ resultTypes: ['violations'] }).analyze();
          const bad = violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map(
              (v) =>
                `${v.id} (${v.impact}): ${v.nodes
                  .map((n) => n.target.join(' '))
                  .slice(0, 3)
                  .join(', ')}`
            );
          expect(bad, `${where}: axe`).toEqual([]);
          await context.close();
        }
    });
  }
});

test('the theme toggle pins dark over a light system setting, before any JavaScript runs', async ({
  browser,
  server
}) => {
  test.setTimeout(120_000);
  const ada = await FirebreakUser.open(browser, server, 'Ada');
  const page = ada.page;
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const dark = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  // Reload with the app's JavaScript blocked: the shell's inline script and CSS alone paint the
  // skeleton, in the pinned theme. The service worker would serve the code from its cache (where
  // page.route cannot block it), so it goes first.
  await page.evaluate(async () => {
    for (const r of await navigator.serviceWorker.getRegistrations()) await r.unregister();
    for (const key of await caches.keys()) await caches.delete(key);
  });
  await page.route('**/_app/immutable/entry/**', (route) => route.abort());
  await page.reload();
  await expect(page.locator('#fb-boot')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(dark);
  await page.unroute('**/_app/immutable/entry/**');
  await page.reload();
  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme');
  expect(await page.evaluate(() => localStorage.getItem('firebreak:theme'))).toBeNull();
  await ada.close();
});

test('before the first sync the lists say loading, not empty; a server that is down is not "offline"', async ({
  browser,
  server
}) => {
  test.setTimeout(120_000);
  const ada = await FirebreakUser.open(browser, server, 'Ada');
  // A second browser of Ada's that has never synced, whose relay connection hangs.
  const { cookies } = await ada.context.storageState();
  const context = await browser.newContext({ baseURL: server.url, storageState: { cookies, origins: [] } });
  const page = await context.newPage();
  await page.routeWebSocket(/\/sync\//, () => {
    // Accepted, never answered: the first connection stays "connecting".
  });
  await page.goto('/w/default/incidents');
  const status = page.getByRole('status').filter({ hasText: /Connecting|Connected|Reconnecting|unreachable/ });
  await expect(status).toHaveText('Connecting…');
  await expect(page.getByText('Loading incidents…')).toBeVisible();
  await expect(page.getByText('No incidents yet.')).toHaveCount(0);
  await context.close();

  // The synced browser: the server goes away while the network stays up.
  await ada.page.goto('/w/default/incidents');
  await ada.expectConnected();
  await expect(ada.page.getByText('No incidents yet.')).toBeVisible();
  await server.stop();
  await expect(ada.syncStatus()).toContainText('Server unreachable');
  await ada.context.setOffline(true);
  await expect(ada.syncStatus()).toContainText('Offline');
  await ada.close();
});
