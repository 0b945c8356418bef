import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { SERVER } from '../vocab.ts';
import { getIncidentMap, listIncidents, readIncident } from './doc.ts';
import {
  DomainError,
  createIncident,
  linkResult,
  replaceText,
  resolveIncident,
  setDescription,
  setLead,
  setResolutionNotes,
  setSeverity,
  setStatus,
  setTitle,
  unlinkResult
} from './ops.ts';
import type { Incident } from './schema.ts';

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const at = (minutes: number) => ({ at: new Date(T0 + minutes * 60_000).toISOString() });

function read(doc: Y.Doc, id: string): Incident {
  return readIncident(getIncidentMap(doc, id)!);
}

/** Counts transactions and updates, so a test can say "exactly one of each". */
function watch(doc: Y.Doc) {
  const seen = { transactions: 0, updates: [] as Uint8Array[], origins: [] as unknown[] };
  doc.on('afterTransaction', (tr: Y.Transaction) => {
    seen.transactions++;
    seen.origins.push(tr.origin);
  });
  doc.on('update', (u: Uint8Array) => seen.updates.push(u));
  return seen;
}

function setup() {
  const doc = new Y.Doc();
  const id = createIncident(
    doc,
    { title: 'Missing emails', severity: 'major', results: [{ resultId: 'r1', checkId: 'pg:c41d07b9' }] },
    'ann',
    at(0)
  );
  return { doc, id };
}

/**
 * Runs `op` and checks D1: one transaction, one update, the timeline grew by one event of
 * `kind`, and a replica that applies only that update sees the field and its event together.
 */
function expectOneChange(doc: Y.Doc, id: string, kind: string, op: () => boolean) {
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  const before = read(doc, id);
  const seen = watch(doc);
  expect(op()).toBe(true);
  expect(seen.transactions).toBe(1);
  expect(seen.updates).toHaveLength(1);
  const after = read(doc, id);
  expect(after.timeline).toHaveLength(before.timeline.length + 1);
  const ev = after.timeline.at(-1)!;
  expect(ev.kind).toBe(kind);
  expect(after.updatedAt).toBe(ev.at);
  Y.applyUpdate(replica, seen.updates[0]!);
  expect(read(replica, id)).toEqual(after);
  return { before, after, ev };
}

describe('incident operations', () => {
  it('[D1] createIncident writes the incident and its created event in one transaction', () => {
    const doc = new Y.Doc();
    const seen = watch(doc);
    const id = createIncident(
      doc,
      {
        title: '  Missing emails ',
        severity: 'critical',
        description: 'Seen in orders',
        leadId: 'bob',
        results: [{ resultId: 'r1', checkId: 'c1' }]
      },
      'ann',
      at(0)
    );
    expect(seen.transactions).toBe(1);
    expect(seen.updates).toHaveLength(1);
    const inc = read(doc, id);
    expect(inc).toMatchObject({
      id,
      title: 'Missing emails',
      severity: 'critical',
      status: 'reported',
      leadId: 'bob',
      reporterId: 'ann',
      createdAt: at(0).at,
      updatedAt: at(0).at,
      resolvedAt: null,
      description: 'Seen in orders',
      resolutionNotes: '',
      results: [{ resultId: 'r1', checkId: 'c1', linkedAt: at(0).at, linkedBy: 'ann' }]
    });
    expect(inc.timeline).toEqual([
      {
        id: expect.any(String),
        at: at(0).at,
        by: 'ann',
        kind: 'created',
        to: { title: 'Missing emails', severity: 'critical' }
      }
    ]);
    expect(listIncidents(doc)).toEqual([inc]);
  });

  it('[D1] keeps a caller-chosen id and passes the origin through', () => {
    const doc = new Y.Doc();
    const seen = watch(doc);
    expect(
      createIncident(doc, { id: 'inc-1', title: 'x', severity: 'minor' }, 'ann', { ...at(0), origin: SERVER })
    ).toBe('inc-1');
    expect(seen.origins).toEqual([SERVER]);
    setTitle(doc, 'inc-1', 'y', 'ann', at(1));
    expect(seen.origins[1]).toEqual({ kind: 'local' });
  });

  it('[D1] setTitle, setSeverity and setLead write the field and one event with from/to', () => {
    const { doc, id } = setup();
    let r = expectOneChange(doc, id, 'title', () => setTitle(doc, id, ' Null emails in orders ', 'bob', at(1)));
    expect(r.after.title).toBe('Null emails in orders');
    expect(r.ev).toMatchObject({ by: 'bob', from: 'Missing emails', to: 'Null emails in orders', at: at(1).at });
    r = expectOneChange(doc, id, 'severity', () => setSeverity(doc, id, 'critical', 'bob', at(2)));
    expect(r.after.severity).toBe('critical');
    expect(r.ev).toMatchObject({ from: 'major', to: 'critical' });
    r = expectOneChange(doc, id, 'lead', () => setLead(doc, id, 'cy', 'bob', at(3)));
    expect(r.after.leadId).toBe('cy');
    expect(r.ev).toMatchObject({ from: null, to: 'cy' });
    r = expectOneChange(doc, id, 'lead', () => setLead(doc, id, null, 'bob', at(4)));
    expect(r.after.leadId).toBeNull();
    expect(r.ev).toMatchObject({ from: 'cy', to: null });
  });

  it('[D1] setStatus, setDescription, linkResult and unlinkResult write the field and one event', () => {
    const { doc, id } = setup();
    let r = expectOneChange(doc, id, 'status', () => setStatus(doc, id, 'investigating', 'bob', at(1)));
    expect(r.after.status).toBe('investigating');
    expect(r.ev).toMatchObject({ from: 'reported', to: 'investigating' });
    r = expectOneChange(doc, id, 'description', () =>
      setDescription(doc, id, 'Upstream CRM export drops emails', 'bob', at(2))
    );
    expect(r.after.description).toBe('Upstream CRM export drops emails');
    r = expectOneChange(doc, id, 'linked', () =>
      linkResult(doc, id, { resultId: 'r2', checkId: 'pg:9e77ab10' }, 'cy', at(3))
    );
    expect(r.after.results.map((x) => x.resultId)).toEqual(['r1', 'r2']);
    expect(r.after.results[1]).toEqual({ resultId: 'r2', checkId: 'pg:9e77ab10', linkedAt: at(3).at, linkedBy: 'cy' });
    expect(r.ev).toMatchObject({ by: 'cy', to: { resultId: 'r2', checkId: 'pg:9e77ab10' } });
    r = expectOneChange(doc, id, 'unlinked', () => unlinkResult(doc, id, 'r1', 'cy', at(4)));
    expect(r.after.results.map((x) => x.resultId)).toEqual(['r2']);
    expect(r.ev).toMatchObject({ from: { resultId: 'r1', checkId: 'pg:c41d07b9' } });
  });

  it('[D2] a change that changes nothing writes nothing', () => {
    const { doc, id } = setup();
    setDescription(doc, id, 'text', 'ann', at(1));
    const state = Y.encodeStateVector(doc);
    const seen = watch(doc);
    expect(setTitle(doc, id, 'Missing emails  ', 'bob', at(2))).toBe(false);
    expect(setSeverity(doc, id, 'major', 'bob', at(2))).toBe(false);
    expect(setLead(doc, id, null, 'bob', at(2))).toBe(false);
    expect(setStatus(doc, id, 'reported', 'bob', at(2))).toBe(false);
    expect(setDescription(doc, id, 'text', 'bob', at(2))).toBe(false);
    expect(setResolutionNotes(doc, id, '', 'bob', at(2))).toBe(false);
    expect(linkResult(doc, id, { resultId: 'r1', checkId: 'other' }, 'bob', at(2))).toBe(false);
    expect(unlinkResult(doc, id, 'nope', 'bob', at(2))).toBe(false);
    expect(seen.transactions).toBe(0);
    expect(seen.updates).toHaveLength(0);
    expect(Y.encodeStateVector(doc)).toEqual(state);
  });

  it('[D3] resolving records resolvedAt and the notes; reopening clears resolvedAt and keeps the notes', () => {
    const { doc, id } = setup();
    const r = expectOneChange(doc, id, 'status', () =>
      setStatus(doc, id, 'resolved', 'bob', { ...at(5), resolutionNotes: 'Backfilled from CRM' })
    );
    expect(r.after).toMatchObject({ status: 'resolved', resolvedAt: at(5).at, resolutionNotes: 'Backfilled from CRM' });
    const reopened = expectOneChange(doc, id, 'status', () => setStatus(doc, id, 'investigating', 'ann', at(9)));
    expect(reopened.after).toMatchObject({
      status: 'investigating',
      resolvedAt: null,
      resolutionNotes: 'Backfilled from CRM'
    });
    expect(reopened.ev).toMatchObject({ from: 'resolved', to: 'investigating' });
    // Resolving again without notes keeps the earlier ones and takes the new time.
    setStatus(doc, id, 'resolved', 'ann', at(12));
    expect(read(doc, id)).toMatchObject({ resolvedAt: at(12).at, resolutionNotes: 'Backfilled from CRM' });
  });

  it('[D8] Resolve needs notes or a reason; both stay on the incident and in the timeline after a reopen', () => {
    const { doc, id } = setup();
    const refused = watch(doc);
    expect(() => resolveIncident(doc, id, { notes: '   ', reason: null }, 'bob', at(3))).toThrow(DomainError);
    expect(refused.transactions).toBe(0);
    expect(() => resolveIncident(doc, id, { notes: '', reason: 'nope' as never }, 'bob', at(3))).toThrow(DomainError);
    expect(read(doc, id).status).toBe('reported');

    const r = expectOneChange(doc, id, 'status', () =>
      resolveIncident(doc, id, { notes: '  Loader fixed ', reason: 'fixed' }, 'bob', at(5))
    );
    expect(r.after).toMatchObject({ status: 'resolved', resolutionNotes: 'Loader fixed', resolutionReason: 'fixed' });
    expect(r.ev).toMatchObject({ from: 'reported', to: 'resolved', notes: 'Loader fixed', reason: 'fixed' });

    const reopened = expectOneChange(doc, id, 'status', () => setStatus(doc, id, 'investigating', 'ann', at(9)));
    expect(reopened.after).toMatchObject({ resolutionNotes: 'Loader fixed', resolutionReason: 'fixed' });
    expect(reopened.ev.notes).toBeUndefined();
    // A reason alone resolves; the first resolution's notes stay in its timeline entry.
    resolveIncident(doc, id, { notes: '', reason: 'false_positive' }, 'ann', at(12));
    const after = read(doc, id);
    expect(after.resolutionReason).toBe('false_positive');
    const resolves = after.timeline.filter((e) => e.kind === 'status' && e.to === 'resolved');
    expect(resolves.map((e) => [e.notes, e.reason])).toEqual([
      ['Loader fixed', 'fixed'],
      [undefined, 'false_positive']
    ]);
    expect(resolveIncident(doc, id, { notes: 'again', reason: null }, 'ann', at(13))).toBe(false);
  });

  it('[D8] incidents from before reasons read with resolutionReason null; a bad stored reason reads as null', () => {
    const { doc, id } = setup();
    expect(read(doc, id).resolutionReason).toBeNull();
    getIncidentMap(doc, id)!.set('resolutionReason', 42);
    expect(read(doc, id).resolutionReason).toBeNull();
  });

  it('[D3] a concurrent resolve and move elsewhere never shows resolvedAt on an unresolved incident', () => {
    const statuses = new Set<string>();
    for (const [ca, cb] of [
      [1, 2],
      [2, 1]
    ]) {
      const a = new Y.Doc();
      a.clientID = ca!;
      const id = createIncident(a, { title: 't', severity: 'minor' }, 'ann', at(0));
      setStatus(a, id, 'fixing', 'ann', at(1));
      const b = new Y.Doc();
      b.clientID = cb!;
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
      setStatus(a, id, 'resolved', 'ann', { ...at(2), resolutionNotes: 'done' });
      setStatus(b, id, 'investigating', 'bob', at(2));
      Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
      Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
      const inc = read(a, id);
      expect(read(b, id)).toEqual(inc);
      statuses.add(inc.status);
      expect(inc.resolvedAt).toBe(inc.status === 'resolved' ? at(2).at : null);
    }
    expect(statuses).toEqual(new Set(['resolved', 'investigating'])); // both winners were exercised
  });

  it('[D3] resolution notes are edited without a timeline event', () => {
    const { doc, id } = setup();
    const seen = watch(doc);
    expect(setResolutionNotes(doc, id, 'Root cause: CRM export', 'bob', at(3))).toBe(true);
    expect(seen.transactions).toBe(1);
    expect(read(doc, id)).toMatchObject({ resolutionNotes: 'Root cause: CRM export', updatedAt: at(3).at });
    expect(read(doc, id).timeline).toHaveLength(1);
  });

  it('[D4] invalid input throws DomainError and writes nothing', () => {
    const { doc, id } = setup();
    const seen = watch(doc);
    const invalid = (fn: () => unknown, code: DomainError['code']) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(DomainError);
        expect((e as DomainError).code).toBe(code);
        return;
      }
      throw new Error('expected a DomainError');
    };
    invalid(() => createIncident(doc, { title: '   ', severity: 'major' }, 'ann'), 'invalid');
    invalid(() => createIncident(doc, { title: 'x', severity: 'blocker' as never }, 'ann'), 'invalid');
    invalid(() => createIncident(doc, { title: 'x'.repeat(301), severity: 'minor' }, 'ann'), 'invalid');
    invalid(() => createIncident(doc, { id, title: 'dup', severity: 'minor' }, 'ann'), 'invalid');
    invalid(() => setTitle(doc, id, ' \n ', 'ann'), 'invalid');
    invalid(() => setTitle(doc, id, 'x'.repeat(301), 'ann'), 'invalid');
    invalid(() => setSeverity(doc, id, 'blocker' as never, 'ann'), 'invalid');
    invalid(() => setStatus(doc, id, 'closed' as never, 'ann'), 'invalid');
    invalid(() => setTitle(doc, 'missing', 'x', 'ann'), 'not_found');
    invalid(() => setStatus(doc, 'missing', 'fixing', 'ann'), 'not_found');
    invalid(() => setLead(doc, 'missing', 'bob', 'ann'), 'not_found');
    invalid(() => setDescription(doc, 'missing', 'x', 'ann'), 'not_found');
    invalid(() => linkResult(doc, 'missing', { resultId: 'r', checkId: 'c' }, 'ann'), 'not_found');
    invalid(() => unlinkResult(doc, 'missing', 'r1', 'ann'), 'not_found');
    expect(seen.transactions).toBe(0);
    expect(listIncidents(doc)).toHaveLength(1);
  });

  it('[D5] description edits by one person within 10 minutes share one timeline entry', () => {
    const { doc, id } = setup();
    setDescription(doc, id, 'a', 'ann', at(1));
    const seen = watch(doc);
    setDescription(doc, id, 'ab', 'ann', at(3));
    setDescription(doc, id, 'abc', 'ann', at(10));
    expect(seen.transactions).toBe(2);
    let inc = read(doc, id);
    expect(inc.timeline.map((e) => e.kind)).toEqual(['created', 'description']);
    expect(inc.timeline[1]!.at).toBe(at(1).at);
    expect(inc).toMatchObject({ description: 'abc', updatedAt: at(10).at });
    setDescription(doc, id, 'abcd', 'ann', at(11)); // 10 minutes after the entry: a new one
    setDescription(doc, id, 'abcde', 'bob', at(12)); // someone else: a new one
    setTitle(doc, id, 'Renamed', 'bob', at(13));
    setDescription(doc, id, 'abcdef', 'bob', at(14)); // another kind in between: a new one
    inc = read(doc, id);
    expect(inc.timeline.map((e) => `${e.kind}:${e.by}`)).toEqual([
      'created:ann',
      'description:ann',
      'description:ann',
      'description:bob',
      'title:bob',
      'description:bob'
    ]);
  });

  it('[D6] concurrent links of different results to one incident both survive; link of a linked result is a no-op', () => {
    const { doc: a, id } = setup();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    linkResult(a, id, { resultId: 'r2', checkId: 'c2' }, 'ann', at(1));
    linkResult(b, id, { resultId: 'r3', checkId: 'c3' }, 'bob', at(1));
    unlinkResult(b, id, 'r1', 'bob', at(2));
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(
      read(a, id)
        .results.map((r) => r.resultId)
        .sort()
    ).toEqual(['r2', 'r3']);
    expect(read(a, id)).toEqual(read(b, id));
    expect(read(a, id).timeline.filter((e) => e.kind === 'linked')).toHaveLength(2);
  });

  it('[D7] replaceText applies the smallest edit, so concurrent typing in one field merges', () => {
    const a = new Y.Doc();
    const ta = a.getText('t');
    ta.insert(0, 'The export drops emails.');
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(replaceText(ta, 'The CRM export drops emails.')).toBe(true);
    expect(replaceText(b.getText('t'), 'The export drops emails since May.')).toBe(true);
    expect(replaceText(b.getText('t'), 'The export drops emails since May.')).toBe(false);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(ta.toString()).toBe('The CRM export drops emails since May.');
    expect(b.getText('t').toString()).toBe(ta.toString());
    for (const [prev, next] of [
      ['abc', ''],
      ['', 'abc'],
      ['aaa', 'aa'],
      ['abcabc', 'abc'],
      ['xyz', 'xAyz']
    ]) {
      const t = new Y.Doc().getText('t');
      t.insert(0, prev!);
      replaceText(t, next!);
      expect(t.toString()).toBe(next);
    }
  });
});
