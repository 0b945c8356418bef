import { describe, expect, it } from 'vitest';
import type { IntegrationLink, IntegrationSummary } from '@firebreak/shared';
import { retryWhen, tileEntries } from './integrations-tile.ts';

const at = '2026-01-01T00:00:00.000Z';
const link = (over: Partial<IntegrationLink> & Pick<IntegrationLink, 'integration'>): IntegrationLink => ({
  name: 'x',
  url: null,
  state: 'delivered',
  updatedAt: at,
  ...over
});
const configured: IntegrationSummary[] = [
  { id: 'env-slack', integration: 'slack', name: 'Slack', paused: false },
  { id: 'h1', integration: 'webhook', name: 'Hook one', paused: false },
  { id: 'h2', integration: 'webhook', name: 'Hook two', paused: true }
];

describe('the Integrations tile rows', () => {
  it('lists every configured integration in order, with nothing yet for those that wrote no entry', () => {
    const rows = tileEntries(configured, []);
    expect(rows.map((r) => [r.name, r.link, r.paused])).toEqual([
      ['Slack', null, false],
      ['Hook one', null, false],
      ['Hook two', null, true]
    ]);
  });

  it('puts each entry under its own integration (two webhooks apart) and receiver links under it as extras', () => {
    const rows = tileEntries(configured, [
      link({ integration: 'webhook', integrationId: 'h2', name: 'Hook two', state: 'failed', error: 'HTTP 400' }),
      link({ integration: 'slack', integrationId: 'env-slack', name: '#inc-1', url: 'https://s/archives/C1' }),
      link({ integration: 'webhook', integrationId: 'h1', name: 'Runbook', url: 'https://r', extra: true }),
      link({ integration: 'webhook', integrationId: 'h1', name: 'Hook one', state: 'retrying' })
    ]);
    expect(rows.map((r) => [r.key, r.link?.state, r.extras.map((x) => x.name)])).toEqual([
      ['env-slack', 'delivered', []],
      ['h1', 'retrying', ['Runbook']],
      ['h2', 'failed', []]
    ]);
  });

  it('keeps entries of an integration no longer configured, and matches old entries without an id by kind', () => {
    const rows = tileEntries(configured.slice(0, 1), [
      link({ integration: 'slack', name: '#inc-2' }),
      link({ integration: 'jira', integrationId: 'gone', name: 'OPS-1', url: 'https://j/browse/OPS-1' })
    ]);
    expect(rows.map((r) => [r.key, r.name, r.link?.name])).toEqual([
      ['env-slack', 'Slack', '#inc-2'],
      ['gone', 'Jira', 'OPS-1']
    ]);
  });
});

describe('the retry time', () => {
  const coarse = () => 'in 5 minutes';
  const now = Date.parse(at);
  it('counts seconds while near, says now when due, and defers to the coarse format beyond a minute', () => {
    expect(retryWhen('2026-01-01T00:00:12.300Z', now, coarse)).toBe('in 13 s');
    expect(retryWhen('2025-12-31T23:59:59.000Z', now, coarse)).toBe('now');
    expect(retryWhen('2026-01-01T00:05:00.000Z', now, coarse)).toBe('in 5 minutes');
  });
});
