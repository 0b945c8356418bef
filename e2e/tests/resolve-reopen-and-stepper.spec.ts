import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

test('Resolve needs notes or a reason; reopening asks and keeps the notes in the timeline', async ({
  browser,
  server
}) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  const { page } = ada;
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Orders arrive without emails' });

  await ada.statusStep('Resolved').click();
  const dialog = page.getByRole('dialog', { name: 'Resolve incident' });
  await expect(dialog.getByLabel('Resolution notes')).toBeFocused();
  // Empty notes and no reason: refused, and said why.
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('alert')).toHaveText(/Write resolution notes or choose a reason/);
  await expect(ada.statusStep('Reported')).toBeChecked();

  await dialog.getByLabel('Reason').selectOption({ label: 'Fixed' });
  await dialog.getByLabel('Resolution notes').fill('Checkout deploy rolled back.');
  await page.keyboard.press('Control+Enter'); // submits the dialog from the text area
  await expect(dialog).toBeHidden();
  await expect(ada.statusStep('Resolved')).toBeChecked();
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline).toContainText('to Resolved (Fixed)');
  await expect(timeline).toContainText('Checkout deploy rolled back.');

  // Reopening is one click away from happening by accident: it asks first; Cancel keeps Resolved.
  await ada.statusStep('Investigating').click();
  const confirm = page.getByRole('dialog', { name: 'Reopen incident?' });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(ada.statusStep('Resolved')).toBeChecked();

  await ada.statusStep('Investigating').click();
  await confirm.getByRole('button', { name: 'Reopen' }).click();
  await expect(ada.statusStep('Investigating')).toBeChecked();
  // The notes are still on the incident and in the timeline after the reopen.
  const previous = page.getByRole('region', { name: 'Previous resolution' });
  await expect(previous.getByLabel('Resolution notes')).toHaveValue('Checkout deploy rolled back.');
  await expect(previous).toContainText('Reason: Fixed');
  await expect(timeline).toContainText('reopened the incident');
  await expect(timeline).toContainText('Checkout deploy rolled back.');

  // Resolving again offers the earlier notes.
  await ada.statusStep('Resolved').click();
  await expect(dialog.getByLabel('Resolution notes')).toHaveValue('Checkout deploy rolled back.');
  await ada.close();
});

test('the status stepper is a radio group: arrows move focus, Space or Enter commits, Resolved asks first', async ({
  browser,
  server
}) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  const { page } = ada;
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Orders arrive without emails' });
  const timeline = page.getByRole('region', { name: 'Timeline' });

  // One tab stop: the checked step.
  await ada.statusStep('Reported').focus();
  await expect(ada.statusStep('Reported')).toHaveAttribute('tabindex', '0');
  await expect(ada.statusStep('Fixing')).toHaveAttribute('tabindex', '-1');

  // Two ArrowRights move focus two steps and change nothing.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(ada.statusStep('Fixing')).toBeFocused();
  await expect(ada.statusStep('Reported')).toBeChecked();
  await expect(timeline).not.toContainText('changed status');

  // Arrowing onto Resolved does not open the Resolve dialog.
  await page.keyboard.press('ArrowRight');
  await expect(ada.statusStep('Resolved')).toBeFocused();
  await expect(page.getByRole('dialog')).toHaveCount(0);

  // Back to Fixing, Space commits it: exactly one status change.
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Space');
  await expect(ada.statusStep('Fixing')).toBeChecked();
  await expect(timeline.getByText(/changed status/)).toHaveCount(1);
  await expect(timeline).toContainText('changed status from Reported to Fixing');

  // Enter on Resolved asks for notes.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('dialog', { name: 'Resolve incident' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(ada.statusStep('Fixing')).toBeChecked();
  await ada.close();
});
