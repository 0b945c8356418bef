import WebSocket from 'ws';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { createIncident } from '@firebreak/shared';
import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

/** The y-websocket update frame carrying `update`. */
function updateFrame(update: Uint8Array): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 0);
  encoding.writeVarUint(enc, 2);
  encoding.writeVarUint8Array(enc, update);
  return encoding.toUint8Array(enc);
}

test('a viewer sees everything with every control disabled; a forged write from it reaches nobody', async ({
  browser,
  server
}) => {
  await ingest(server, fixture('soda-scan-orders.json'));
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  await ada.createIncident(/missing_count\(email\) = 0/, { title: 'Null emails in orders' });
  const vic = await FirebreakUser.open(browser, server, 'Vic', { role: 'viewer' });

  await expect(vic.page.getByText(/read-only access/)).toBeVisible();
  await vic.nav('Incidents').click();
  await vic.row(/Null emails in orders/).click();
  await expect(vic.page.getByLabel('Title')).toHaveValue('Null emails in orders');
  for (const s of ['Reported', 'Investigating', 'Fixing', 'Resolved'] as const)
    await expect(vic.statusStep(s)).toBeDisabled();
  await expect(vic.page.getByLabel('Severity')).toBeDisabled();
  await expect(vic.page.getByLabel('Lead')).toBeDisabled();
  await expect(vic.page.getByLabel('Title')).not.toBeEditable();
  await expect(vic.page.getByLabel('Description')).not.toBeEditable();
  await expect(vic.page.getByRole('button', { name: 'Link check result' })).toBeDisabled();
  await expect(vic.page.getByRole('button', { name: /^Unlink/ }).first()).toBeDisabled();
  await vic.nav('Checks').click();
  await vic
    .row(/missing_count\(email\) = 0/)
    .getByRole('link', { name: /missing_count/ })
    .click();
  await expect(vic.page.getByRole('button', { name: 'Create incident' }).first()).toBeDisabled();

  // The viewer's own session, used over a raw websocket: its write is dropped, the socket stays open.
  const cookie = (await vic.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/sync/default`, { headers: { cookie } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const forged = new Y.Doc();
  createIncident(forged, { title: 'Forged by a viewer', severity: 'critical' }, 'someone-else');
  ws.send(updateFrame(Y.encodeStateAsUpdate(forged)));
  // A real edit after it: once the editor's other browser sees this, the forged one would have arrived.
  await ada.createIncident(/Orders volume/, { title: 'Marker after the forged write' });
  await ada.nav('Incidents').click();
  await expect(ada.row(/Marker after the forged write/)).toBeVisible();
  await expect(ada.row(/Forged by a viewer/)).toHaveCount(0);
  expect(ws.readyState).toBe(WebSocket.OPEN);
  ws.close();
  // Nor is it in the store: a browser that starts from nothing does not get it.
  const fresh = await FirebreakUser.open(browser, server, 'Fresh');
  await fresh.nav('Incidents').click();
  await expect(fresh.row(/Marker after the forged write/)).toBeVisible();
  await expect(fresh.row(/Forged by a viewer/)).toHaveCount(0);
  await Promise.all([ada.close(), vic.close(), fresh.close()]);
});

test('an admin invites in the browser, changes a role and removes a member, who is told at once', async ({
  browser,
  server
}) => {
  const ada = await FirebreakUser.open(browser, server, 'Ada', { link: server.bootstrapUrl! });
  await ada.nav('Settings').click();
  const invites = ada.page.getByRole('region', { name: 'Invite links' });
  await invites.getByLabel('Role').selectOption('editor');
  await invites.getByRole('button', { name: 'Create invite link' }).click();
  const link = await invites.getByRole('textbox', { name: 'Invite link' }).inputValue();
  expect(link).toMatch(/\/join\/fbj_/);
  await expect(invites.getByRole('listitem')).toHaveCount(1);

  const bob = await FirebreakUser.open(browser, server, 'Bob', { link });
  await ada.page.reload();
  await expect(invites.getByText('No pending invites.')).toBeVisible();
  // The same link works once.
  const late = await browser.newContext({ baseURL: server.url });
  const latePage = await late.newPage();
  await latePage.goto(link);
  await expect(latePage.getByRole('heading', { name: 'This invite cannot be used' })).toBeVisible();
  await expect(latePage.getByText(/already used/)).toBeVisible();
  await late.close();

  const members = ada.page.getByRole('region', { name: 'Members' });
  await members.getByLabel('Role of Bob').selectOption('viewer');
  await expect(bob.page.getByText(/read-only access/)).toBeVisible();
  ada.page.once('dialog', (d) => void d.accept());
  await members.getByRole('row', { name: /Bob/ }).getByRole('button', { name: 'Remove' }).click();
  await expect(bob.page.getByRole('alert')).toContainText('Your access to Default was removed');
  await Promise.all([ada.close(), bob.close()]);
});
