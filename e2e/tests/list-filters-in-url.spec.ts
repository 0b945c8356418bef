import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

test('filters and sort live in the URL: Back from a check and a reload restore them', async ({ browser, server }) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  const { page } = ada;
  await expect(ada.grid().getByRole('row')).toHaveCount(4); // header + 3 checks

  await page.getByLabel('Outcome').selectOption('fail');
  await page.getByRole('searchbox', { name: 'Search checks' }).fill('email');
  await expect(page).toHaveURL(/[?&]outcome=fail/);
  await expect(page).toHaveURL(/[?&]q=email/);
  await expect(ada.grid().getByRole('row')).toHaveCount(2);
  // The summary counts what is shown.
  await expect(page.getByText(/1 of 3 checks · 1 failing · 0 warning/)).toBeVisible();

  // Sort by value: a header button, kept in the URL too.
  await page.getByRole('columnheader', { name: /Value/ }).getByRole('button').click();
  await expect(page).toHaveURL(/[?&]sort=value/);

  await ada
    .row(/missing_count\(email\) = 0/)
    .getByRole('link', { name: /missing_count/ })
    .click();
  await expect(page.getByRole('heading', { level: 1, name: /missing_count\(email\) = 0/ })).toBeVisible();
  await page.goBack();
  await expect(page.getByLabel('Outcome')).toHaveValue('fail');
  await expect(page.getByRole('searchbox', { name: 'Search checks' })).toHaveValue('email');
  await expect(page.getByRole('columnheader', { name: /Value/ })).toHaveAttribute('aria-sort', 'descending');
  await expect(ada.grid().getByRole('row')).toHaveCount(2);

  await page.reload();
  await expect(page.getByLabel('Outcome')).toHaveValue('fail');
  await expect(ada.grid().getByRole('row')).toHaveCount(2);

  // The Incidents list too.
  await ada.nav('Incidents').click();
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Orders arrive without emails' });
  await ada.nav('Incidents').click();
  await page.getByLabel('Status').selectOption('resolved');
  await expect(page).toHaveURL(/[?&]status=resolved/);
  await expect(page.getByText('No incidents match these filters.')).toBeVisible();
  await page.getByLabel('Status').selectOption('open');
  await ada
    .row(/INC-1: Orders arrive without emails/)
    .getByRole('link', { name: /Orders arrive/ })
    .click();
  await expect(page.getByLabel('Title')).toHaveValue('Orders arrive without emails');
  await page.goBack();
  await expect(page.getByLabel('Status')).toHaveValue('open');
  await expect(page).toHaveURL(/[?&]status=open/);
  await ada.close();
});
