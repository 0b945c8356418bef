import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

/** The orders scan plus a failing freshness check (Soda reports its value in milliseconds). */
function scanWithFreshness() {
  const scan = fixture('soda-scan-orders.json');
  const base = scan.checks[1];
  scan.checks.push({
    ...base,
    identity: 'f7e5a0c1',
    identities: { v3: 'f7e5a0c1' },
    name: 'Orders are fresh',
    definition: 'checks for orders:\n  - freshness(created_at) < 1d:\n      name: Orders are fresh\n',
    column: null,
    metrics: [],
    outcome: 'fail',
    diagnostics: {
      blocks: [],
      value: 99_000_000,
      fail: { greaterThan: 86_400_000 },
      measure: 'time',
      maxColumnTimestamp: '2024-05-01 05:30:03',
      freshness: '1 day, 3:30:00'
    }
  });
  return scan;
}

test('check values keep their units everywhere; the chart has threshold bands and a keyboard readout; failed rows are shown', async ({
  browser,
  server
}) => {
  await ingest(server, scanWithFreshness());
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  const { page } = ada;

  // Dashboard: a duration and a row count, never raw milliseconds.
  await expect(ada.row(/Orders are fresh/)).toContainText('1d 3h 30m');
  await expect(ada.row(/missing_count\(email\) = 0/)).toContainText('3 rows');
  await expect(ada.grid()).not.toContainText('99,000,000');

  // The freshness check's page: latest value, chart axis, threshold legend, keyboard readout.
  await ada
    .row(/Orders are fresh/)
    .getByRole('link', { name: /Orders are fresh/ })
    .click();
  await expect(page.getByText('Latest value 1d 3h 30m')).toBeVisible();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history).toContainText('Fail when > 1d');
  const ticks = await history.locator('svg text.tick').allTextContents();
  expect(ticks.some((t) => /^[\d.]+d$/.test(t))).toBe(true); // the value axis ticks in days
  expect(ticks.filter((t) => /\d[MK]$/.test(t))).toEqual([]); // never millions of milliseconds
  const slider = history.getByRole('slider', { name: /Results of Orders are fresh/ });
  await slider.focus();
  await page.keyboard.press('End');
  await expect(slider).toHaveAttribute('aria-valuetext', /Fail, 1d 3h 30m/);
  await expect(history.locator('[aria-live="polite"]')).toHaveText(/Fail, 1d 3h 30m/);

  // The missing-emails check: its failed-rows block (columns and counts).
  await ada.openCheck(/missing_count\(email\) = 0/);
  const failedRows = page.getByRole('region', { name: 'Failed rows', exact: true });
  await expect(failedRows).toContainText('3 rows failed');
  await expect(failedRows).toContainText('id');
  await expect(failedRows).toContainText('email');
  await expect(failedRows).toContainText('Samples are not sent to Soda Cloud');

  // An incident's linked results: the same formatter and the failed rows.
  await page.getByRole('button', { name: 'Create incident' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Create incident' });
  // The prefilled title is selected: typing replaces it.
  await page.keyboard.type('Orders stale and without emails');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByLabel('Title')).toHaveValue('Orders stale and without emails');
  await expect(dialog).toBeHidden();
  await page.getByRole('button', { name: 'Link check result' }).click();
  const link = page.getByRole('dialog', { name: /Link/ });
  await link.getByRole('combobox', { name: 'Search checks' }).fill('fresh');
  await link.getByRole('option', { name: /Orders are fresh/ }).click();
  await expect(link.getByLabel('Result')).toContainText('1d 3h 30m');
  await link.getByRole('button', { name: 'Link', exact: true }).click();
  const linked = page.getByRole('region', { name: 'Linked check results' });
  await expect(linked.getByRole('row', { name: /Orders are fresh/ })).toContainText('1d 3h 30m');
  await expect(linked).not.toContainText('99,000,000');
  await expect(linked.getByRole('row', { name: /missing_count/ })).toContainText('3 rows');
  await expect(linked).toContainText('Failed Rows Analysis');

  // A second Create incident on the same check offers the open one first.
  await ada.openCheck(/missing_count\(email\) = 0/);
  await page.getByRole('button', { name: 'Create incident' }).first().click();
  await expect(
    page.getByRole('dialog', { name: 'Create incident' }).getByRole('button', { name: 'Open INC-1' })
  ).toBeFocused();
  await ada.close();
});
