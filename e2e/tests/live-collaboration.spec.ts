import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

async function openIncident(user: FirebreakUser, title: string) {
  await user.nav('Incidents').click();
  await user.row(new RegExp(title)).click();
  await expect(user.page.getByLabel('Title')).toHaveValue(title);
}

test('two people edit the same incident live', async ({ browser, server }) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada');
  const grace = await FirebreakUser.open(browser, server, 'Grace');

  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Null emails in orders' });
  await openIncident(grace, 'Null emails in orders');

  // Status, severity, lead and description travel both ways.
  await ada.statusStep('Investigating').click();
  await expect(grace.statusStep('Investigating')).toBeChecked();
  await grace.page.getByLabel('Severity').selectOption({ label: 'Critical' });
  await expect(ada.page.getByLabel('Severity')).toHaveValue('critical');
  await grace.page.getByLabel('Lead').selectOption({ label: 'Grace' });
  await expect(ada.page.getByLabel('Lead')).toHaveValue(await grace.page.getByLabel('Lead').inputValue());
  await ada.page.getByLabel('Description').fill('Started after the 09:00 deploy.');
  await expect(grace.page.getByLabel('Description')).toHaveValue('Started after the 09:00 deploy.');

  // Both see every change in the timeline, attributed.
  await expect(grace.page.getByText(/Ada.*Investigating/).first()).toBeVisible();
  await expect(ada.page.getByText(/Grace.*Critical/).first()).toBeVisible();

  // Resolving asks for notes; the other person sees it resolved.
  await grace.statusStep('Resolved').click();
  const dialog = grace.page.getByRole('dialog');
  await dialog.getByLabel('Resolution notes').fill('Deploy rolled back.');
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(ada.statusStep('Resolved')).toBeChecked();
  await ada.close();
  await grace.close();
});
