import { describe, expect, it } from 'vitest';
import { rankCommands, type Command } from './commands.ts';

const cmd = (id: string, group: Command['group'], label: string, extra: Partial<Command> = {}): Command => ({
  id,
  group,
  label,
  run: () => {},
  ...extra
});

const all = [
  cmd('s', 'Actions', 'Set status: Investigating'),
  cmd('g', 'Go to', 'Go to Incidents'),
  cmd('i4', 'Incidents', 'INC-4: Null emails in orders', { detail: 'Fixing', keywords: '4 incident' }),
  cmd('i12', 'Incidents', 'INC-12: Late customers load', { detail: 'Reported', keywords: '12 incident' }),
  cmd('c1', 'Checks', 'missing_count(email) = 0', { detail: 'Fail · pg/orders', keywords: 'email check' })
];

describe('rankCommands', () => {
  it('keeps the given order (actions first) without a query', () => {
    expect(rankCommands(all, '').map((c) => c.id)).toEqual(['s', 'g', 'i4', 'i12', 'c1']);
    expect(rankCommands(all, '', 2)).toHaveLength(2);
  });
  it('needs every word and ranks label prefixes, then word prefixes, then group', () => {
    expect(rankCommands(all, 'inc-12').map((c) => c.id)).toEqual(['i12']);
    expect(rankCommands(all, 'email').map((c) => c.id)).toEqual(['i4', 'c1']);
    expect(rankCommands(all, 'orders fail').map((c) => c.id)).toEqual(['c1']);
    expect(rankCommands(all, 'in').map((c) => c.id)).toEqual(['i4', 'i12', 's', 'g', 'c1']);
    expect(rankCommands(all, 'nothing like it')).toEqual([]);
  });
});
