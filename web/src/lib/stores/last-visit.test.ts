import { describe, expect, it } from 'vitest';
import { lastSeenSeq, markSeen } from './last-visit.ts';

/** The Storage interface over a Map (Node has no localStorage). */
function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => void m.set(k, String(v))
  };
}

describe('last visit', () => {
  it('is kept per workspace and never moves backwards', () => {
    const s = memoryStorage();
    expect(lastSeenSeq('a', s)).toBeNull();
    markSeen('a', 10, s);
    markSeen('b', 3, s);
    markSeen('a', 7, s);
    expect(lastSeenSeq('a', s)).toBe(10);
    expect(lastSeenSeq('b', s)).toBe(3);
    s.setItem('firebreak:checks-seen:a', 'not json');
    expect(lastSeenSeq('a', s)).toBeNull();
  });
});
