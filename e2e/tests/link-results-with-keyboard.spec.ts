import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

test('results are linked to incidents from both sides, with the keyboard alone', async ({ browser, server }) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada');
  const { page } = ada;

  // Open the failing check from the dashboard with the keyboard: focus the grid, move, Enter.
  await ada
    .row(/missing_count\(email\) = 0/)
    .getByRole('link', { name: /missing_count/ })
    .focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: /missing_count\(email\) = 0/ })).toBeVisible();
  await page.getByRole('button', { name: 'Create incident' }).first().focus();
  await page.keyboard.press('Enter');
  // The dialog opens with focus in the Title, prefilled with the check's name.
  await expect(page.getByRole('dialog').getByLabel('Title')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('Emails missing');
  await page.getByRole('dialog').getByRole('button', { name: 'Save' }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Title')).toHaveValue('Emails missing');
  await expect(page.getByText('INC-1', { exact: true }).first()).toBeVisible();

  // From a check page: Link to incident, pick it by search, Enter links it.
  await ada.openCheck(/Orders volume/);
  await page.getByRole('button', { name: 'Link to incident' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('combobox', { name: 'Search incidents' }).fill('emails');
  await expect(dialog.getByRole('option', { name: /INC-1: Emails missing/ })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('link', { name: 'INC-1' }).first()).toBeVisible();

  // From the incident page: both results are listed; link the passing check's result too.
  await page.getByRole('link', { name: 'INC-1' }).first().click();
  await expect(page.getByText('Orders volume').first()).toBeVisible();
  await page.getByRole('button', { name: 'Link check result' }).click();
  const picker = page.getByRole('dialog');
  await picker.getByRole('combobox', { name: 'Search checks' }).fill('row_count > 0');
  await page.keyboard.press('Enter');
  await expect(picker.getByLabel('Result')).toBeFocused();
  await picker.getByRole('button', { name: 'Link' }).click();
  await expect(picker).toBeHidden();
  await expect(page.getByRole('link', { name: 'row_count > 0' })).toBeVisible();
  await expect(page.getByText(/linked/i).first()).toBeVisible();

  // The Incidents dashboard counts three linked checks.
  await ada.nav('Incidents').click();
  await expect(ada.row(/INC-1: Emails missing/)).toContainText('3 checks');
  await ada.close();
});

test('the app starts and works offline after one visit', async ({ browser, server }) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada');
  await expect(ada.row(/Orders volume/)).toBeVisible();
  // The service worker has cached the app shell once it controls the page.
  await ada.page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: 20_000 });
  // …and, once the app was idle, the rest of the build (pages not visited yet, such as the incident page).
  await ada.page.waitForFunction(() => document.documentElement.dataset.offlineReady === 'true', undefined, {
    timeout: 40_000
  });
  await ada.goOffline();
  await ada.page.reload();
  await expect(ada.row(/Orders volume/)).toBeVisible();
  await expect(ada.syncStatus()).toContainText('Offline');
  await ada.createIncident(/Orders volume/, { title: 'Volume low, seen offline' });
  await expect(ada.page.getByText(/Pending number/i).first()).toBeVisible();
  await ada.goOnline();
  await expect(ada.page.getByText('INC-1', { exact: true }).first()).toBeVisible();
  await ada.close();
});
