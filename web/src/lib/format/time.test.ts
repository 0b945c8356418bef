import { describe, expect, it } from 'vitest';
import { relativeTime } from './time.ts';

const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('relativeTime', () => {
  it('reads under a minute as just now, both ways', () => {
    expect(relativeTime(NOW - 30_000, NOW)).toBe('just now');
    expect(relativeTime(NOW + 30_000, NOW)).toBe('just now');
  });
  it('uses whole units with plurals', () => {
    expect(relativeTime(NOW - 60_000, NOW)).toBe('1 minute ago');
    expect(relativeTime(NOW - 5 * 60_000, NOW)).toBe('5 minutes ago');
    expect(relativeTime('2026-11-26T09:00:00Z', NOW)).toBe('3 hours ago');
    expect(relativeTime('2026-11-25T11:00:00Z', NOW)).toBe('1 day ago');
    expect(relativeTime('2026-09-20T12:00:00Z', NOW)).toBe('2 months ago');
    expect(relativeTime('2024-05-02T09:00:03+00:00', NOW)).toBe('2 years ago');
  });
  it('says "in" for future times', () => {
    expect(relativeTime(NOW + 2 * 3_600_000, NOW)).toBe('in 2 hours');
  });
  it('returns an empty string for missing or invalid input', () => {
    expect(relativeTime(null, NOW)).toBe('');
    expect(relativeTime('', NOW)).toBe('');
    expect(relativeTime('not a date', NOW)).toBe('');
  });
});
