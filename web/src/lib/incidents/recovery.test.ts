import { describe, expect, it } from 'vitest';
import { recoveryNotes, recoveryOf } from './recovery.ts';

const rows = {
  'pg:a': {
    id: 'pg:a',
    name: 'Orders volume',
    dataset: 'pg/orders',
    outcome: 'pass' as const,
    evaluatedAt: '2026-11-02T10:00:00Z',
    lastResultId: 'r9'
  },
  'pg:b': {
    id: 'pg:b',
    name: 'Users unique',
    dataset: 'pg/users',
    outcome: 'pass' as const,
    evaluatedAt: '2026-11-02T12:00:00Z',
    lastResultId: 'r8'
  }
};
type Row = (typeof rows)['pg:a'];
const lookup =
  (over: Record<string, Partial<Omit<Row, 'outcome'> & { outcome: 'pass' | 'warn' | 'fail' | null }> | null> = {}) =>
  (id: string) => {
    if (over[id] === null) return undefined;
    const base = rows[id as keyof typeof rows];
    return base ? ({ ...base, ...over[id] } as Row) : undefined;
  };
const incident = {
  status: 'investigating' as const,
  results: [
    { resultId: 'r1', checkId: 'pg:a' },
    { resultId: 'r2', checkId: 'pg:a' },
    { resultId: 'r3', checkId: 'pg:b' }
  ]
};

describe('recovery suggestion', () => {
  it('appears when every linked check passes in its latest result, since the latest of them', () => {
    const r = recoveryOf(incident, lookup());
    expect(r?.since).toBe('2026-11-02T12:00:00Z');
    expect(r?.checks.map((c) => c.id)).toEqual(['pg:a', 'pg:b']);
    expect(recoveryNotes(r!, (t) => t.slice(11, 16))).toBe(
      'All linked checks pass again:\n- Orders volume (pg/orders) passed at 10:00\n- Users unique (pg/users) passed at 12:00'
    );
  });

  it('disappears when one check fails or warns again, or is unknown here', () => {
    expect(recoveryOf(incident, lookup({ 'pg:b': { outcome: 'fail' } }))).toBeNull();
    expect(recoveryOf(incident, lookup({ 'pg:a': { outcome: 'warn' } }))).toBeNull();
    expect(recoveryOf(incident, lookup({ 'pg:a': { outcome: null } }))).toBeNull();
    expect(recoveryOf(incident, lookup({ 'pg:b': null }))).toBeNull();
  });

  it('needs a newer result than the linked ones, an open incident and at least one link', () => {
    expect(recoveryOf(incident, lookup({ 'pg:a': { lastResultId: 'r2' } }))).toBeNull();
    expect(recoveryOf({ ...incident, status: 'resolved' }, lookup())).toBeNull();
    expect(recoveryOf({ ...incident, results: [] }, lookup())).toBeNull();
  });
});
