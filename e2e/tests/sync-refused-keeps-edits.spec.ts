import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest, startServer } from '../support/server.ts';
import { expect, test } from './fixtures.ts';

test('a change the server refuses stops sync visibly and keeps the edit in the browser', async ({ browser }) => {
  // A relay with a tiny frame cap, so one long description is "too large" (close 4413).
  const server = await startServer({ env: { FIREBREAK_MAX_MESSAGE_BYTES: '4000' } });
  try {
    await ingest(server, fixture('soda-scan-orders.json'));
    const ada = await FirebreakUser.open(browser, server, 'Ada');
    await ada.expectConnected();
    await ada.createIncident(/Orders volume/, { title: 'Huge paste', description: 'x'.repeat(6000) });

    await expect(ada.syncStatus()).toContainText('Sync stopped');
    await expect(ada.syncStatus()).toHaveAttribute('title', /4413/);
    // The incident is still here, in this browser, after a reload.
    await ada.page.reload();
    await ada.nav('Incidents').click();
    await expect(ada.row(/Huge paste/)).toBeVisible();
    await ada.close();
  } finally {
    await server.stop();
  }
});
