import { test as base, expect, type Locator } from '@playwright/test';
import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest, startServer, type ServerProcess } from '../support/server.ts';
import {
  clickButton,
  SLACK_SIGNING_SECRET,
  startFakeWebhook,
  startVendors,
  until,
  vendorEnv,
  type Vendors
} from '../support/vendors.ts';

/**
 * The integrations end to end: the real server process configured by FIREBREAK_* variables at
 * the fake vendors (real HTTP on loopback, in this test process), a real Chromium.
 */
const test = base.extend<{ vendors: Vendors; server: ServerProcess }>({
  vendors: async ({}, use) => {
    const vendors = await startVendors();
    await use(vendors);
    await vendors.close();
  },
  server: async ({ vendors }, use) => {
    const server = await startServer({ env: vendorEnv(vendors) });
    await use(server);
    await server.stop();
  }
});

// Each test signs people in through real invites and waits on five vendors: give them room on a busy machine.
test.slow();

const tile = (u: FirebreakUser) => u.page.getByRole('region', { name: 'Integrations' });
const entry = (u: FirebreakUser, name: string): Locator =>
  tile(u).getByRole('list', { name: 'Integrations of this incident' }).getByRole('listitem', { name, exact: true });
const incidentId = (u: FirebreakUser) => /\/incidents\/([^/?#]+)/.exec(u.page.url())![1]!;

test('creating an incident opens a Slack channel shown in the tile; a Slack button moves the status in the browser; resolving closes everything and signs the webhooks', async ({
  browser,
  server,
  vendors: v
}) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  v.slack.addUser('U0ADA', 'ada@example.com', 'Ada');
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Null emails in orders' });
  const id = incidentId(ada);

  // (a) The channel exists in Slack and its link is in the tile; every other integration delivered.
  const channel = await until(
    () => [...v.slack.channels.values()].find((c) => c.name.endsWith('-null-emails-in-orders')),
    15_000,
    'the Slack channel'
  );
  const slack = entry(ada, 'Slack');
  await expect(slack.getByRole('link', { name: channel.name })).toHaveAttribute(
    'href',
    `${v.slack.teamUrl}archives/${channel.id}`
  );
  await expect(slack.getByRole('link', { name: channel.name })).toHaveAttribute('target', '_blank');
  for (const name of ['Slack', 'Microsoft Teams', 'Jira Cloud', 'ServiceNow', 'Webhook'])
    await expect(entry(ada, name)).toContainText('Delivered');
  const issue = v.jira.issues.find((i) => i.summary.endsWith(': Null emails in orders'))!;
  await expect(entry(ada, 'Jira Cloud').getByRole('link', { name: issue.key })).toHaveAttribute(
    'href',
    `${v.jira.url}/browse/${issue.key}`
  );
  const record = v.sn.recordsWithCorrelationId(id)[0]!;
  await expect(entry(ada, 'ServiceNow').getByRole('link', { name: record.number })).toBeVisible();
  await expect(entry(ada, 'Microsoft Teams').getByRole('link', { name: 'Teams channel' })).toHaveAttribute(
    'href',
    v.teams.channelUrl
  );
  const created = v.hook.events('incidentCreated');
  expect(created).toHaveLength(1);
  expect(created[0]!.signatureValid).toBe(true);

  // (c) Someone presses Investigating on the card in Slack: the open browser moves at once.
  const card = await until(
    () =>
      v.slack
        .messagesFor(channel.id)
        .find((m) => (m.blocks ?? []).some((b) => (b as { type: string }).type === 'actions')),
    10_000,
    'the card in the channel'
  );
  const res = await clickButton(
    `${server.url}/api/v1/integrations/slack/events`,
    card,
    'firebreak_status:investigating',
    { userId: 'U0ADA', responseUrl: v.slack.responseUrl() },
    { signingSecret: SLACK_SIGNING_SECRET }
  );
  expect(res.status).toBe(200);
  await expect(ada.statusStep('Investigating')).toBeChecked();

  // (b) Resolved in the browser: channel archived, Jira Done, ServiceNow state 6, signed webhooks.
  await ada.statusStep('Resolved').click();
  const dialog = ada.page.getByRole('dialog');
  await dialog.getByLabel('Resolution notes').fill('Backfilled the emails.');
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await expect(ada.statusStep('Resolved')).toBeChecked();
  await until(() => v.slack.channels.get(channel.id)!.isArchived, 15_000, 'the channel archived');
  await until(() => issue.status === 'Done', 15_000, 'the Jira issue in Done');
  await until(() => v.sn.recordsWithCorrelationId(id)[0]!.fields.state === '6', 15_000, 'the record resolved');
  expect(v.sn.recordsWithCorrelationId(id)[0]!.fields.close_notes).toContain('Backfilled the emails.');
  const resolved = await until(
    () =>
      v.hook
        .events('incidentUpdated')
        .find((d) => (d.body.incident as { status?: string } | undefined)?.status?.toLowerCase() === 'resolved'),
    15_000,
    'the resolved webhook'
  );
  expect(resolved.signatureValid).toBe(true);
  expect(v.hook.deliveries.every((d) => d.signatureValid)).toBe(true);
  expect([...v.hook.byIdempotencyKey().values()].every((ds) => ds.length === 1)).toBe(true);
  for (const name of ['Slack', 'Jira Cloud', 'ServiceNow', 'Webhook'])
    await expect(entry(ada, name)).toContainText('Delivered');
  await ada.close();
});

test('an admin adds a webhook in Settings, sends a test, pauses and removes it; a bad URL is shown at its field', async ({
  browser,
  server
}) => {
  const extra = await startFakeWebhook({ secret: 'settings-secret' });
  try {
    const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
    await ada.nav('Settings').click();
    const section = ada.page.getByRole('region', { name: 'Integrations' });
    const list = section.getByRole('list', { name: 'Configured integrations' });
    // The environment's integrations are listed as such and only pause.
    const envSlack = list.getByRole('listitem', { name: 'Slack', exact: true });
    await expect(envSlack).toContainText('From environment variables');
    await expect(envSlack.getByRole('button', { name: 'Pause' })).toBeVisible();
    await expect(envSlack.getByRole('button', { name: 'Remove' })).toHaveCount(0);

    await section.getByRole('button', { name: 'Add integration' }).click();
    await section.getByLabel('Kind').selectOption({ label: 'Webhook' });
    await section.getByLabel('Name').fill('Runbook hook');
    await section.getByLabel('URL', { exact: true }).fill('not a url');
    await section.getByLabel(/^Signing secret/).fill('settings-secret');
    await section.getByRole('button', { name: 'Add integration' }).click();
    const url = section.getByLabel('URL', { exact: true });
    await expect(url).toHaveAttribute('aria-invalid', 'true');
    await expect(section.getByText(/must be an http\(s\) URL/)).toBeVisible();
    await url.fill(extra.hookUrl);
    await section.getByRole('button', { name: 'Add integration' }).click();

    const hook = list.getByRole('listitem', { name: 'Runbook hook' });
    await expect(hook).toContainText('Added in Settings');
    await expect(hook).toContainText('Active');
    await hook.getByRole('button', { name: 'Send test' }).click();
    await expect(hook.getByRole('status')).toBeVisible();
    await until(() => extra.events('validate').length === 1, 10_000, 'the validate call');
    expect(extra.events('validate')[0]!.signatureValid).toBe(true);

    // Editing shows the secret masked; saving without touching it keeps it.
    await hook.getByRole('button', { name: 'Edit' }).click();
    await expect(hook.getByLabel(/^Signing secret/)).toHaveValue('••••••••');
    await hook.getByRole('button', { name: 'Save changes' }).click();
    await expect(hook.getByRole('button', { name: 'Save changes' })).toHaveCount(0);
    await hook.getByRole('button', { name: 'Send test' }).click();
    await until(() => extra.events('validate').length === 2, 10_000, 'the second validate call');
    expect(extra.events('validate')[1]!.signatureValid).toBe(true);

    await hook.getByRole('button', { name: 'Pause' }).click();
    await expect(hook).toContainText('Paused');
    await expect(hook.getByRole('button', { name: 'Resume' })).toBeVisible();

    ada.page.once('dialog', (d) => void d.accept());
    await hook.getByRole('button', { name: 'Remove' }).click();
    await expect(hook).toHaveCount(0);
    await expect(envSlack).toBeVisible();
    await ada.close();
  } finally {
    await extra.close();
  }
});

test('a delivery refused for good shows Failed with the error in the tile; the admin retries it and it is delivered', async ({
  browser,
  server,
  vendors: v
}) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  v.hook.failNext(1, { status: 400, body: { error: 'unknown dataset' } });
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Refused by the receiver' });
  const hook = entry(ada, 'Webhook');
  await expect(hook).toContainText('Failed');
  await expect(hook).toContainText('400');
  await expect(entry(ada, 'Slack')).toContainText('Delivered');

  // An editor sees the failure but no Retry.
  const bob = await FirebreakUser.open(browser, server, 'Bob', { role: 'editor' });
  await bob.page.goto(ada.page.url());
  await expect(entry(bob, 'Webhook')).toContainText('Failed');
  await expect(entry(bob, 'Webhook').getByRole('button', { name: /Retry/ })).toHaveCount(0);

  await hook.getByRole('button', { name: 'Retry Webhook' }).click();
  await expect(hook).toContainText('Delivered');
  await expect(entry(bob, 'Webhook')).toContainText('Delivered');
  // The refused request reached the receiver, then the retry was accepted once.
  expect(v.hook.requests.filter((r) => r.fault === 'status')).toHaveLength(1);
  const created = v.hook.events('incidentCreated');
  expect(created).toHaveLength(1);
  expect(created[0]!.signatureValid).toBe(true);
  await Promise.all([ada.close(), bob.close()]);
});

base('with no integrations the tile tells an admin where to add one and anyone else who can', async ({ browser }) => {
  base.slow();
  const server = await startServer();
  try {
    await ingest(server, fixture('soda-scan-orders.json'));
    const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
    await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Nothing connected' });
    await expect(tile(ada)).toContainText('No integrations are connected');
    await tile(ada).getByRole('link', { name: 'Settings → Integrations' }).click();
    await expect(ada.page.getByRole('region', { name: 'Integrations' })).toContainText('No integrations yet.');
    await expect(ada.page.getByRole('button', { name: 'Add integration' })).toBeVisible();

    const bob = await FirebreakUser.open(browser, server, 'Bob', { role: 'editor' });
    await bob.page.goto(ada.page.url().replace(/\/settings.*$/, '/incidents'));
    await bob.row(/Nothing connected/).click();
    await expect(tile(bob)).toContainText('An admin can connect');
    await expect(tile(bob).getByRole('link')).toHaveCount(0);
    await bob.nav('Settings').click();
    await expect(bob.page.getByRole('region', { name: 'Integrations' })).toHaveCount(0);
    await Promise.all([ada.close(), bob.close()]);
  } finally {
    await server.stop();
  }
});
