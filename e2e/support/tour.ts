import { expect as baseExpect, type Browser, type Page } from '@playwright/test';
import { startServer, type ServerProcess } from './server.ts';
import { FirebreakUser } from './app.ts';

/** A fresh browser syncs the whole demo before a page shows: on a busy machine that takes a while. */
const expect = baseExpect.configure({ timeout: 20_000 });

/** The two screens every page is checked and photographed at. */
export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1440, height: 900 }
} as const;
export type ViewportName = keyof typeof VIEWPORTS;
export const SCHEMES = ['light', 'dark'] as const;
export type Scheme = (typeof SCHEMES)[number];

/** One page of the app: where it is and what on it must be visible and usable. */
export interface TourStop {
  name: string;
  path: string;
  /** Signed out (a fresh browser opening an invite link). */
  anonymous?: boolean;
  /** The page's main action or content, visible once it has rendered. */
  ready(page: Page): Promise<void>;
}

/**
 * A demo server with a signed-in admin, and the list of every page: the Checks dashboard, a
 * failing check, Incidents, an incident, Settings, Workspaces, an invite link and a 404.
 */
export async function startTour(browser: Browser) {
  const server = await startServer({ demo: true });
  const admin = await FirebreakUser.open(browser, server, 'Ada', {
    link: server.bootstrapUrl!,
    email: 'ada@example.com'
  });
  const page = admin.page;
  await page.goto('/w/demo');
  await expect(admin.grid().getByRole('row').nth(1)).toBeVisible();
  const checkHref = await admin
    .grid()
    .getByRole('row', { name: /fail/i })
    .first()
    .getByRole('link')
    .first()
    .getAttribute('href');
  await page.goto('/w/demo/incidents');
  await expect(admin.grid().getByRole('row', { name: /INC-/ }).first()).toBeVisible();
  const incidentHref = await admin
    .grid()
    .getByRole('row', { name: /INC-/ })
    .first()
    .getByRole('link')
    .first()
    .getAttribute('href');
  const joinLink = await server.invite('editor', 'demo');

  const stops: TourStop[] = [
    {
      name: 'checks',
      path: '/w/demo',
      ready: async (p) => {
        await expect(p.getByRole('heading', { name: 'Checks', level: 1 })).toBeVisible();
        await expect(p.getByRole('grid').getByRole('row').nth(1)).toBeVisible();
        await expect(p.getByRole('searchbox').or(p.getByRole('textbox')).first()).toBeVisible();
      }
    },
    {
      name: 'check',
      path: checkHref!,
      ready: async (p) => {
        await expect(p.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(p.getByRole('button', { name: /Create incident|Link to/ }).first()).toBeVisible();
      }
    },
    {
      name: 'incidents',
      path: '/w/demo/incidents',
      ready: async (p) => {
        await expect(p.getByRole('heading', { name: 'Incidents', level: 1 })).toBeVisible();
        await expect(p.getByRole('grid').getByRole('row', { name: /INC-/ }).first()).toBeVisible();
      }
    },
    {
      name: 'insights',
      path: '/w/demo/insights',
      ready: async (p) => {
        await expect(p.getByRole('heading', { name: 'Insights', level: 1 })).toBeVisible();
        await expect(p.getByRole('heading', { name: 'Open incidents by severity' })).toBeVisible();
      }
    },
    {
      name: 'incident',
      path: incidentHref!,
      ready: async (p) => {
        await expect(p.getByLabel('Title')).toBeVisible();
        await expect(p.getByRole('radiogroup', { name: 'Status' }).or(p.getByLabel('Status')).first()).toBeVisible();
        await expect(p.getByLabel('Severity').first()).toBeVisible();
      }
    },
    {
      name: 'settings',
      path: '/w/demo/settings',
      ready: async (p) => {
        await expect(p.getByRole('heading', { name: 'Settings', level: 1 })).toBeVisible();
        await expect(p.getByRole('button', { name: 'Create invite link' })).toBeVisible();
      }
    },
    {
      name: 'workspaces',
      path: '/workspaces',
      ready: async (p) => {
        await expect(p.getByRole('heading', { level: 1 })).toBeVisible();
        await expect(p.getByRole('link', { name: /Demo/ }).first()).toBeVisible();
      }
    },
    {
      name: 'join',
      path: new URL(joinLink).pathname,
      anonymous: true,
      ready: async (p) => {
        await expect(p.getByLabel('Display name')).toBeVisible();
        await expect(p.getByRole('button', { name: /^Join / })).toBeVisible();
      }
    },
    {
      name: 'not-found',
      path: '/w/demo/no-such-page',
      ready: async (p) => {
        await expect(p.getByRole('heading', { name: 'Page not found' })).toBeVisible();
        await expect(p.getByRole('link', { name: 'Go to Checks' })).toBeVisible();
        await expect(p.getByRole('navigation', { name: 'Main' }).locator('[aria-current="page"]')).toHaveCount(0);
      }
    }
  ];
  return { server, admin, stops };
}

/** A browser context signed in as the tour's admin (same cookie), at a size and colour scheme. */
export async function openAs(
  browser: Browser,
  tour: { server: ServerProcess; admin: FirebreakUser },
  stop: TourStop,
  viewport: ViewportName,
  colorScheme: Scheme
) {
  const context = await browser.newContext({
    baseURL: tour.server.url,
    viewport: VIEWPORTS[viewport],
    colorScheme,
    storageState: stop.anonymous ? undefined : await tour.admin.context.storageState()
  });
  const page = await context.newPage();
  await page.goto(stop.path);
  await stop.ready(page);
  return { context, page };
}

/** How far the page scrolls sideways (0 when it fits its viewport). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
