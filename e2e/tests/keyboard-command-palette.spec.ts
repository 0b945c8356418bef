import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

test('the command palette by keyboard alone: open it, jump to an incident, set its status and severity', async ({
  browser,
  server
}) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  const { page } = ada;
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Orders arrive without emails' });
  await expect(page.getByText('INC-1', { exact: true }).first()).toBeVisible();
  await ada.nav('Checks').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Checks' })).toBeVisible();

  // `?` lists the shortcuts; Escape closes the list.
  await page.locator('body').press('?');
  const shortcuts = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(shortcuts).toBeVisible();
  await expect(shortcuts).toContainText('Open the command palette');
  await page.keyboard.press('Escape');
  await expect(shortcuts).toBeHidden();

  // `/` focuses the list's search.
  await page.locator('body').press('/');
  await expect(page.getByRole('searchbox', { name: 'Search checks' })).toBeFocused();
  await page.keyboard.press('Escape');
  await page.locator('body').click({ position: { x: 1, y: 1 } });

  // Ctrl+K, type, Enter: the incident opens.
  await page.keyboard.press('Control+k');
  const palette = page.getByRole('dialog', { name: 'Go to or run' });
  const input = palette.getByRole('combobox', { name: 'Command, incident or check' });
  await expect(input).toBeFocused();
  await page.keyboard.type('INC-1');
  await expect(palette.getByRole('option').first()).toHaveText(/INC-1: Orders arrive without emails/);
  await page.keyboard.press('Enter');
  await expect(palette).toBeHidden();
  await expect(page.getByLabel('Title')).toHaveValue('Orders arrive without emails');
  await expect(ada.statusStep('Reported')).toBeChecked();

  // The incident's own actions are in the palette: set status Investigating.
  await page.keyboard.press('Control+k');
  await expect(input).toBeFocused();
  await page.keyboard.type('status investigating');
  await expect(palette.getByRole('option', { selected: true })).toHaveText(/Set status: Investigating/);
  await page.keyboard.press('Enter');
  await expect(ada.statusStep('Investigating')).toBeChecked();

  // Arrow keys choose among matches: severity Critical.
  await page.keyboard.press('Control+k');
  await page.keyboard.type('set severity');
  const options = palette.getByRole('option');
  await expect(options).toHaveCount(2); // every severity but the current one
  const labels = await options.allTextContents();
  const critical = labels.findIndex((l) => l.includes('Critical'));
  for (let i = 0; i < critical; i++) await page.keyboard.press('ArrowDown');
  await expect(palette.getByRole('option', { selected: true })).toHaveText(/Set severity: Critical/);
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Severity')).toHaveValue('critical');

  // The timeline recorded both changes.
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline).toContainText('changed status from Reported to Investigating');
  await expect(timeline).toContainText('to Critical');
  await ada.close();
});
