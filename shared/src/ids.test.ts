import { describe, expect, it } from 'vitest';
import { ulid, ulidTime } from './ids.ts';

describe('ulid', () => {
  it('[I1] is 26 Crockford base32 characters that encode the creation time', () => {
    const t = Date.parse('2026-03-01T10:00:00.123Z');
    const id = ulid(t);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidTime(id)).toBe(t);
    expect(ulidTime(id.toLowerCase())).toBe(t);
  });

  it('[I1] sorts by creation time and does not repeat within a millisecond', () => {
    const times = [0, 1, 31, 32, 1_000, Date.parse('2026-01-01T00:00:00Z'), Date.parse('2026-01-01T00:00:00.001Z')];
    const ids = times.map((t) => ulid(t));
    expect([...ids].sort()).toEqual(ids);
    const same = new Set(Array.from({ length: 1000 }, () => ulid(42)));
    expect(same.size).toBe(1000);
  });
});
