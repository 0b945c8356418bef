import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

test('a browser that goes offline keeps working and merges on reconnect', async ({ browser, server }) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada');
  const grace = await FirebreakUser.open(browser, server, 'Grace');

  // Ada opens an incident; Grace has it open too.
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Null emails' });
  await expect(ada.page.getByText('INC-1', { exact: true }).first()).toBeVisible();
  await grace.nav('Incidents').click();
  await grace.row(/INC-1: Null emails/).click();
  await expect(grace.page.getByLabel('Title')).toHaveValue('Null emails');

  // Grace loses the network and keeps working; Ada edits meanwhile.
  await grace.goOffline();
  await grace.statusStep('Fixing').click();
  await grace.page.getByLabel('Description').fill('Grace: backfilling emails from CRM.');
  await ada.page.getByLabel('Severity').selectOption({ label: 'Major' });
  await ada.page.getByLabel('Title').fill('Null emails in orders');
  await ada.page.getByLabel('Title').press('Enter');

  // Grace also creates an incident offline: it waits for a number.
  await grace.createIncident(/Orders volume/, { title: 'Low order volume' });
  await expect(grace.page.getByText(/Pending number/i).first()).toBeVisible();
  // Nothing of it reached Ada.
  await ada.nav('Incidents').click();
  await expect(ada.row(/Low order volume/)).toHaveCount(0);

  // Back online: both converge, nothing lost, the offline incident gets INC-2.
  await grace.goOnline();
  await expect(grace.page.getByText('INC-2', { exact: true }).first()).toBeVisible();
  await expect(ada.row(/INC-2: Low order volume/)).toBeVisible();
  await ada.row(/INC-1: Null emails in orders/).click();
  await expect(ada.statusStep('Fixing')).toBeChecked();
  await expect(ada.page.getByLabel('Description')).toHaveValue('Grace: backfilling emails from CRM.');
  await grace.nav('Incidents').click();
  await grace.row(/INC-1: Null emails in orders/).click();
  await expect(grace.page.getByLabel('Severity')).toHaveValue('major');
  await expect(grace.statusStep('Fixing')).toBeChecked();
  await ada.close();
  await grace.close();
});
