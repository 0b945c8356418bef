import { describe, expect, it } from 'vitest';
import { channelName, hasChannelPrefix, MAX_CHANNEL_NAME, slugify } from './channel-name.ts';

const AT = '2026-11-26T23:59:59.000Z';
const SLACK_NAME = /^[a-z0-9_-]{1,80}$/;

describe('Slack channel names', () => {
  it('[SL1] inc-<n>-<yyyy-mm-dd>-<slug>, with the UTC creation date', () => {
    expect(channelName(12, AT, 'Invalid customer ids')).toBe('inc-12-2026-11-26-invalid-customer-ids');
    // 23:30 in New York on the 26th is the 27th in UTC.
    expect(channelName(3, '2026-11-26T23:30:00-05:00', 'x')).toBe('inc-3-2026-11-27-x');
  });

  it.each([
    ['Crème brûlée café', 'creme-brulee-cafe'],
    ['Straße über Øresund', 'strasse-uber-oresund'],
    ['🔥🔥 Orders 🚨 broken', 'orders-broken'],
    ['orders.customer_id: NULLs!!', 'orders-customer_id-nulls'],
    ['数据 missing 数据', 'missing'],
    ['  --Leading and trailing--  ', 'leading-and-trailing'],
    ['__under__', 'under'],
    ['ＦＵＬＬＷＩＤＴＨ １２３', 'fullwidth-123']
  ])('[SL1] slugs %j as %j', (title, slug) => {
    expect(slugify(title)).toBe(slug);
    const name = channelName(1, AT, title);
    expect(name).toBe(`inc-1-2026-11-26-${slug}`);
    expect(name).toMatch(SLACK_NAME);
  });

  it('[SL1] a title of symbols only leaves the prefix, without a trailing dash', () => {
    expect(channelName(7, AT, '🔥🔥🔥')).toBe('inc-7-2026-11-26');
    expect(channelName(7, AT, '!!! ??? ...')).toBe('inc-7-2026-11-26');
    expect(channelName(7, AT, '🔥', 2)).toBe('inc-7-2026-11-26-2');
  });

  it('[SL1] a long title is cut to 80 characters in the slug, at a word when cheap, never in the prefix', () => {
    const title = 'Nightly load of the customer orders table from the warehouse failed with duplicate keys again';
    const name = channelName(123456, AT, title);
    expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
    expect(name.startsWith('inc-123456-2026-11-26-nightly-load')).toBe(true);
    expect(name).not.toMatch(/[-_]$/);
    // Cut back to a whole word.
    expect(title.toLowerCase().replace(/ /g, '-')).toContain(name.slice('inc-123456-2026-11-26-'.length) + '-');
  });

  it('[SL1] one very long word is cut hard; a suffix still fits in 80', () => {
    const title = 'x'.repeat(500);
    for (const attempt of [1, 2, 10, 20]) {
      const name = channelName(99, AT, title, attempt);
      expect(name.length).toBe(MAX_CHANNEL_NAME);
      expect(name).toMatch(SLACK_NAME);
      if (attempt > 1) expect(name.endsWith(`x-${attempt}`)).toBe(true);
    }
  });

  it('[SL1] a cut that lands on a separator leaves no trailing dash before the suffix', () => {
    // The slug room for n=1 with suffix -2 is 80 - 16 - 2 - 1 = 61 characters.
    const title = `${'a'.repeat(60)} b`;
    const name = channelName(1, AT, title, 2);
    expect(name).toBe(`inc-1-2026-11-26-${'a'.repeat(60)}-2`);
    expect(name.length).toBeLessThanOrEqual(MAX_CHANNEL_NAME);
  });

  it('[SL2] name_taken suffixes -2, -3… keep the same prefix', () => {
    expect(channelName(12, AT, 'Invalid ids', 2)).toBe('inc-12-2026-11-26-invalid-ids-2');
    expect(channelName(12, AT, 'Invalid ids', 3)).toBe('inc-12-2026-11-26-invalid-ids-3');
    expect(hasChannelPrefix('inc-12-2026-11-26-invalid-ids-3', 'inc-12-2026-11-26')).toBe(true);
    expect(hasChannelPrefix('inc-12-2026-11-26', 'inc-12-2026-11-26')).toBe(true);
    expect(hasChannelPrefix('inc-12-2026-11-260', 'inc-12-2026-11-26')).toBe(false);
    expect(hasChannelPrefix('inc-12-2026-11-26-x', 'inc-1-2026-11-26')).toBe(false);
  });
});
