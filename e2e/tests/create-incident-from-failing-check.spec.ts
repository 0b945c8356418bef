import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

test('a failing check becomes an incident, numbered by the server and shown on both dashboards', async ({
  browser,
  server
}) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! }); // the link the first start printed
  const { page } = ada;

  // The Checks dashboard lists the three checks of the scan.
  await expect(page.getByRole('heading', { level: 1, name: 'Checks' })).toBeVisible();
  await expect(ada.grid().getByRole('row')).toHaveCount(4); // header + 3 checks
  await ada
    .row(/missing_count\(email\) = 0/)
    .getByRole('link', { name: /missing_count/ })
    .click();

  // The check page: history and the failing result's actions.
  await expect(page.getByRole('heading', { level: 1, name: /missing_count\(email\) = 0/ })).toBeVisible();
  await page.getByRole('button', { name: 'Create incident' }).first().click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Title').fill('Orders arrive without emails');
  await dialog.getByLabel('Severity').selectOption({ label: 'Critical' });
  await dialog.getByLabel('Description').fill('Checkout writes null emails since the deploy.');
  await dialog.getByRole('button', { name: 'Save' }).click();

  // The incident page: status Reported, the linked result, and the server's number.
  await expect(page.getByLabel('Title')).toHaveValue('Orders arrive without emails');
  await expect(ada.statusStep('Reported')).toBeChecked();
  await expect(page.getByText('INC-1', { exact: true }).first()).toBeVisible();
  await expect(page.getByLabel('Description')).toHaveValue('Checkout writes null emails since the deploy.');

  // It appears on the Incidents dashboard and in the check's Incident column.
  await ada.nav('Incidents').click();
  await expect(ada.row(/INC-1: Orders arrive without emails/)).toBeVisible();
  await ada.nav('Checks').click();
  await expect(ada.row(/missing_count\(email\) = 0/).getByRole('link', { name: 'INC-1' })).toBeVisible();
  await ada.close();
});

test('a scan ingested while the Checks dashboard is open shows up without a reload', async ({ browser, server }) => {
  const ada = await FirebreakUser.open(browser, server, 'Ada');
  await expect(ada.page.getByRole('heading', { name: 'Send your first scan' })).toBeVisible();
  await ingest(server, fixture('soda-scan-results-python.json'));
  await expect(ada.grid().getByRole('row').nth(1)).toBeVisible();
  const scan = fixture('soda-scan-results-python.json');
  await expect(ada.grid().getByRole('row')).toHaveCount(scan.checks.length + 1);
  await ada.close();
});
