import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import type { ServerProcess } from './server.ts';

/** Page object for one person using Firebreak in their own browser profile. */
export class FirebreakUser {
  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly name: string
  ) {}

  /**
   * A person signing in the real way: opening a one-time invite link (`firebreak invite`, or the
   * first-admin link the server printed when `link` is given) and saying who they are.
   */
  static async open(
    browser: Browser,
    server: Pick<ServerProcess, 'url' | 'invite'>,
    name: string,
    opts: { role?: 'admin' | 'editor' | 'viewer'; link?: string; email?: string } = {}
  ) {
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    const user = new FirebreakUser(context, page, name);
    await user.join(opts.link ?? (await server.invite(opts.role ?? 'editor')), name, opts.email);
    return user;
  }

  /** Opens an invite link and joins with a name and email. */
  async join(link: string, name: string, email = `${name.toLowerCase()}@example.com`) {
    await this.page.goto(link);
    await this.page.getByLabel('Display name').fill(name);
    await this.page.getByLabel('Email').fill(email);
    await this.page.getByRole('button', { name: /^Join / }).click();
    await expect(this.nav('Incidents')).toBeVisible();
  }

  nav(name: 'Checks' | 'Incidents' | 'Settings') {
    return this.page.getByRole('navigation').getByRole('link', { name, exact: true });
  }

  /** Opens a check's page from the Checks dashboard; `name` matches its row and its link. */
  async openCheck(name: RegExp) {
    await this.nav('Checks').click();
    await this.row(name).getByRole('link', { name }).click();
  }

  /** Creates an incident for a check's latest warn/fail result and waits for its page. */
  async createIncident(check: RegExp, fields: { title: string; description?: string }) {
    await this.openCheck(check);
    await this.page.getByRole('button', { name: 'Create incident' }).first().click();
    const dialog = this.page.getByRole('dialog');
    await dialog.getByLabel('Title').fill(fields.title);
    if (fields.description !== undefined) await dialog.getByLabel('Description').fill(fields.description);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(this.page.getByLabel('Title')).toHaveValue(fields.title);
  }

  syncStatus() {
    return this.page
      .getByRole('status')
      .filter({ hasText: /Connecting|Connected|Offline|Reconnecting|Server unreachable|Sync stopped/ });
  }

  async expectConnected() {
    await expect(this.syncStatus()).toContainText('Connected');
  }

  async goOffline() {
    await this.context.setOffline(true);
    await expect(this.syncStatus()).toContainText('Offline');
  }

  async goOnline() {
    await this.context.setOffline(false);
    await this.expectConnected();
  }

  /** The grid on the current dashboard. */
  grid() {
    return this.page.getByRole('grid').or(this.page.getByRole('table')).first();
  }

  row(name: string | RegExp) {
    return this.grid().getByRole('row', { name });
  }

  statusStep(name: 'Reported' | 'Investigating' | 'Fixing' | 'Resolved') {
    return this.page.getByRole('radiogroup', { name: 'Status' }).getByRole('radio', { name });
  }

  async close() {
    await this.context.close();
  }
}
