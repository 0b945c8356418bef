import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../test/random.ts';
import { SEVERITIES, STATUSES, type Origin, type Severity, type Status } from '../vocab.ts';
import { getIncidentMap, incidentsMap, readIncident } from './doc.ts';
import { incidentEvents, isReopen, processedState, type IncidentEvent } from './events.ts';
import {
  createIncident,
  linkResult,
  setDescription,
  setLead,
  setSeverity,
  setStatus,
  setTitle,
  unlinkResult,
  type OpOptions
} from './ops.ts';
import type { Incident } from './schema.ts';

const REMOTE: Origin = { kind: 'remote' };
const PEOPLE = ['ann', 'bob', 'cy'];
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const iso = (minute: number) => new Date(T0 + minute * 60_000).toISOString();
/** 200 histories keep the file around two seconds; FIREBREAK_FUZZ_RUNS=3000 for a long hunt. */
const RUNS = Number(process.env.FIREBREAK_FUZZ_RUNS ?? 200);
const SEEDS = Array.from({ length: RUNS }, (_, i) => i + 1);
/**
 * Thousands of docs are made here, and a Y.Doc without a guid draws its uuid with one crypto call
 * per hex digit (about a third of a millisecond per doc); the guid plays no part in updates.
 */
const newDoc = () => new Y.Doc({ guid: 'workspace' });

// ---------------------------------------------------------------------------------------------
// Histories: several browsers editing offline, syncing now and then, and the server replaying
// every update they made in a chosen grouping.

interface HistoryOptions {
  replicas: number;
  steps: number;
  /** Probability that an operation is a bad client writing an unknown status or severity. */
  garbage: number;
}

/** One random domain operation on one replica, against what that replica currently sees. */
function randomOp(rng: Rng, doc: Y.Doc, replica: number, step: number, clock: { tick: number }, garbage: number) {
  clock.tick += rng.int(3); // 0 makes equal timestamps, e.g. a link in the same minute as the create
  const opts: OpOptions = { at: iso(clock.tick) };
  const by = rng.pick(PEOPLE);
  const ids = [...incidentsMap(doc).keys()].sort();
  // A result belongs to one check, so its check id follows from its id (as in real data).
  const result = (n = rng.int(6)) => ({ resultId: `r${n}`, checkId: `pg:check-${n}` });
  if (!ids.length || (ids.length < 4 && rng.bool(0.08))) {
    const results = Array.from({ length: rng.int(3) }, () => result());
    const unique = results.filter((r, i) => results.findIndex((o) => o.resultId === r.resultId) === i);
    const leadId = rng.bool(0.5) ? null : rng.pick(PEOPLE);
    const input = { id: `inc-${replica}-${step}`, title: rng.word(), severity: rng.pick(SEVERITIES), leadId };
    createIncident(doc, { ...input, results: unique }, by, opts);
    return;
  }
  const id = rng.pick(ids);
  const m = getIncidentMap(doc, id)!;
  if (rng.bool(garbage)) {
    doc.transact(() => m.set(rng.pick(['status', 'severity']), rng.pick(['banana', 'RESOLVED', ''])));
    return;
  }
  switch (rng.int(10)) {
    case 0:
      return void setTitle(doc, id, rng.word(), by, opts);
    case 1:
      return void setSeverity(doc, id, rng.pick(SEVERITIES), by, opts);
    case 2:
    case 3:
    case 4: {
      const status = rng.pick(STATUSES);
      const notes = status === 'resolved' && rng.bool(0.7) ? { resolutionNotes: rng.word(6) } : {};
      return void setStatus(doc, id, status, by, { ...opts, ...notes });
    }
    case 5:
      return void setLead(doc, id, rng.bool(0.3) ? null : rng.pick(PEOPLE), by, opts);
    case 6:
      return void setDescription(doc, id, rng.word(rng.between(1, 8)), by, opts);
    case 7:
      return void linkResult(doc, id, result(), by, opts);
    default: {
      const linked = [...(m.get('results') as Y.Map<unknown>).keys()].sort();
      if (linked.length) return void unlinkResult(doc, id, rng.pick(linked), by, opts);
    }
  }
}

/** Every update the replicas made, in the order they made it (a causal order). */
function history(rng: Rng, { replicas, steps, garbage }: HistoryOptions): Uint8Array[] {
  const log: Uint8Array[] = [];
  const docs: Y.Doc[] = [];
  const inbox: Uint8Array[][] = [];
  for (let i = 0; i < replicas; i++) {
    const doc = newDoc();
    doc.clientID = 1000 + i; // fixed ids so a failing seed replays the same conflict resolution
    inbox.push([]);
    doc.on('update', (u: Uint8Array, origin: unknown) => {
      if (origin === REMOTE) return;
      log.push(u);
      inbox.forEach((q, j) => j !== i && q.push(u));
    });
    docs.push(doc);
  }
  const clock = { tick: 0 };
  for (let step = 0; step < steps; step++) {
    const r = rng.int(replicas);
    if (rng.bool(0.75)) randomOp(rng, docs[r]!, r, step, clock, garbage);
    else for (const u of inbox[r]!.splice(0)) Y.applyUpdate(docs[r]!, u, REMOTE);
  }
  return log;
}

/** Sizes of consecutive runs that add up to `n`. */
function randomGrouping(rng: Rng, n: number): number[] {
  const sizes: number[] = [];
  for (let left = n; left > 0;) {
    const size = rng.between(1, Math.min(left, 1 + rng.int(8)));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

type Snapshot = Map<string, Incident>;

/** Every incident map read as it is (garbage included), as the server's watcher sees it. */
function snapshot(doc: Y.Doc): Snapshot {
  const out: Snapshot = new Map();
  for (const [id, m] of incidentsMap(doc).entries()) if (m instanceof Y.Map) out.set(id, readIncident(m));
  return out;
}

/**
 * A fresh server doc: the first `cut` updates as one (the state it had processed), then one
 * group at a time, in the order they were made: the relay is a star, so each update reaches it
 * after everything its author had seen. (Out of that order, yjs 13.6 can leave structs pending
 * even after all updates arrived — not the watcher's concern.) Returns the state after each
 * group: s0 … sn, or with `endsOnly` just s0 and sn.
 */
function replay(rng: Rng, log: Uint8Array[], cut: number, sizes: number[], endsOnly = false): Snapshot[] {
  const doc = newDoc();
  if (cut) Y.applyUpdate(doc, Y.mergeUpdates(log.slice(0, cut)), REMOTE);
  const states = [snapshot(doc)];
  let i = cut;
  for (const size of sizes) {
    const group = log.slice(i, (i += size));
    // One merged update, or the group's updates one by one in one server transaction: same state.
    if (rng.bool()) Y.applyUpdate(doc, Y.mergeUpdates(group), REMOTE);
    else doc.transact(() => group.forEach((u) => Y.applyUpdate(doc, u, REMOTE)), REMOTE);
    if (!endsOnly) states.push(snapshot(doc));
  }
  if (endsOnly) states.push(snapshot(doc));
  return states;
}

const idsOf = (states: Snapshot[]) => [...new Set(states.flatMap((s) => [...s.keys()]))].sort();

/**
 * What the server does: for each state, the events against the last processed state, then
 * `processedState` becomes the new last processed state. Returns per-incident event lists per step.
 */
function watchSteps(states: Snapshot[]) {
  const stored = new Map<string, Incident | null>();
  for (const [id, inc] of states[0]!) stored.set(id, inc);
  const steps: Array<Map<string, IncidentEvent[]>> = [];
  for (const state of states.slice(1)) {
    const step = new Map<string, IncidentEvent[]>();
    for (const [id, after] of state) {
      const before = stored.get(id) ?? null;
      step.set(id, incidentEvents(before, after));
      stored.set(id, processedState(before, after));
    }
    steps.push(step);
  }
  return { steps, stored };
}

// ---------------------------------------------------------------------------------------------
// Composition: the per-batch events of s0→s1→…→sn folded into net events, written independently
// of the implementation. It also checks that consecutive batches chain (each `from` is the
// previous `to`): a broken chain would mean an event fired from a state the server never had.

type Transition<T> = { from: T; to: T };

function chain<T>(acc: Transition<T> | undefined, next: Transition<T>, what: string): Transition<T> {
  if (acc && acc.to !== next.from) throw new Error(`${what} chain broken: ${String(acc.to)} then ${String(next.from)}`);
  return { from: acc ? acc.from : next.from, to: next.to };
}

function statusTransition(e: IncidentEvent): Transition<Status> | undefined {
  if (e.kind === 'status') return { from: e.from, to: e.to };
  if (e.kind === 'resolved') return { from: e.from, to: 'resolved' };
  if (e.kind === 'reopened') return { from: 'resolved', to: e.to };
  return undefined;
}

function compose(batches: IncidentEvent[][]): IncidentEvent[] {
  let created = false;
  let status: Transition<Status> | undefined;
  let notes = '';
  let severity: Transition<Severity> | undefined;
  let lead: Transition<string | null> | undefined;
  const membership = new Map<string, { was: boolean; is: boolean; checkId: string }>();
  for (const e of batches.flat()) {
    const t = statusTransition(e);
    if (t) status = chain(status, t, 'status');
    if (e.kind === 'resolved') notes = e.notes;
    if (e.kind === 'created') {
      if (created || batches.flat().indexOf(e) !== 0) throw new Error('created twice or not first');
      created = true;
    }
    if (e.kind === 'severity') severity = chain(severity, e, 'severity');
    if (e.kind === 'lead') lead = chain(lead, e, 'lead');
    if (e.kind === 'linked' || e.kind === 'unlinked') {
      const linking = e.kind === 'linked';
      for (const r of e.results) {
        const m = membership.get(r.resultId) ?? { was: !linking, is: !linking, checkId: r.checkId };
        if (m.is === linking) throw new Error(`${e.kind} ${r.resultId} twice in a row`);
        membership.set(r.resultId, { ...m, is: linking, checkId: linking ? r.checkId : m.checkId });
      }
    }
  }
  const changed = (ts: { from: unknown; to: unknown } | undefined) => ts && ts.from !== ts.to;
  const results = (was: boolean) =>
    [...membership]
      .filter(([, m]) => m.was === was && m.is !== was)
      .map(([resultId, m]) => ({ resultId, checkId: m.checkId }))
      .sort((a, b) => (a.resultId < b.resultId ? -1 : 1));
  const out: IncidentEvent[] = [];
  if (created) out.push({ kind: 'created' });
  if (changed(status) && isReopen(status!.from, status!.to)) out.push({ kind: 'reopened', to: status!.to });
  if (changed(severity)) out.push({ kind: 'severity', ...severity! });
  if (changed(lead)) out.push({ kind: 'lead', ...lead! });
  if (results(false).length) out.push({ kind: 'linked', results: results(false) });
  if (results(true).length) out.push({ kind: 'unlinked', results: results(true) });
  if (changed(status) && status!.to === 'resolved') out.push({ kind: 'resolved', from: status!.from, notes });
  else if (changed(status) && !isReopen(status!.from, status!.to)) out.push({ kind: 'status', ...status! });
  return out;
}

/**
 * A resolved event's notes are a snapshot of the state it was derived from (W4); notes edited
 * while the status nets out (reopen and re-resolve in one batch) fire nothing, so they are
 * compared separately, not through composition.
 */
const withoutNotes = (events: IncidentEvent[]) => events.map((e) => (e.kind === 'resolved' ? { ...e, notes: '' } : e));

// ---------------------------------------------------------------------------------------------
// Example fixtures: one browser's doc, read the way the server reads it.

function fixture(create: { severity?: Severity; leadId?: string | null; results?: string[] } = {}) {
  const doc = new Y.Doc();
  let minute = 0;
  const o = <T extends object>(extra?: T) => ({ at: iso(minute++), ...extra });
  const id = createIncident(
    doc,
    {
      title: 'Missing emails',
      severity: create.severity ?? 'major',
      leadId: create.leadId ?? null,
      results: (create.results ?? ['r1']).map((resultId) => ({ resultId, checkId: `pg:${resultId}` }))
    },
    'ann',
    o()
  );
  const read = () => readIncident(getIncidentMap(doc, id)!);
  return { doc, id, o, read };
}

describe('watcher: examples', () => {
  it('[W1] a new incident yields created alone when it is as it was created', () => {
    const { read } = fixture({ leadId: 'bob', results: ['r1', 'r2'] });
    expect(incidentEvents(null, read())).toEqual([{ kind: 'created' }]);
  });

  it('[W1] created and resolved in one offline batch yields created then resolved', () => {
    const { doc, id, o, read } = fixture();
    setStatus(doc, id, 'investigating', 'ann', o());
    setStatus(doc, id, 'resolved', 'ann', o({ resolutionNotes: 'backfilled' }));
    expect(incidentEvents(null, read())).toEqual([
      { kind: 'created' },
      { kind: 'resolved', from: 'reported', notes: 'backfilled' }
    ]);
  });

  it('[W2] changes made after creation in the same batch are net events from the initial state', () => {
    const { doc, id, o, read } = fixture({ severity: 'minor', leadId: null, results: ['r1', 'r2'] });
    setSeverity(doc, id, 'critical', 'ann', o());
    setLead(doc, id, 'bob', 'ann', o());
    setLead(doc, id, 'cy', 'ann', o());
    unlinkResult(doc, id, 'r1', 'ann', o());
    linkResult(doc, id, { resultId: 'r3', checkId: 'pg:r3' }, 'ann', o());
    setStatus(doc, id, 'fixing', 'ann', o());
    expect(incidentEvents(null, read())).toEqual([
      { kind: 'created' },
      { kind: 'severity', from: 'minor', to: 'critical' },
      { kind: 'lead', from: null, to: 'cy' },
      { kind: 'linked', results: [{ resultId: 'r3', checkId: 'pg:r3' }] },
      { kind: 'unlinked', results: [{ resultId: 'r1', checkId: 'pg:r1' }] },
      { kind: 'status', from: 'reported', to: 'fixing' }
    ]);
  });

  it('[W2] a result linked in the same millisecond as the create still counts as linked later', () => {
    const doc = new Y.Doc();
    const at = { at: iso(0) };
    const id = createIncident(doc, { title: 't', severity: 'minor', results: [] }, 'ann', at);
    linkResult(doc, id, { resultId: 'r9', checkId: 'pg:r9' }, 'ann', at);
    expect(incidentEvents(null, readIncident(getIncidentMap(doc, id)!))).toEqual([
      { kind: 'created' },
      { kind: 'linked', results: [{ resultId: 'r9', checkId: 'pg:r9' }] }
    ]);
  });

  it('[W2] a lead changed back to the initial one nets out; a severity the created event lacks is the current one', () => {
    const { doc, id, o, read } = fixture({ leadId: 'ann' });
    setLead(doc, id, 'bob', 'ann', o());
    setLead(doc, id, 'ann', 'ann', o());
    expect(incidentEvents(null, read())).toEqual([{ kind: 'created' }]);
    const inc = read();
    const bare = {
      ...inc,
      severity: 'critical' as const,
      timeline: inc.timeline.map((e) => ({ ...e, to: undefined }))
    };
    expect(incidentEvents(null, bare)).toEqual([{ kind: 'created' }]);
  });

  it('[W3] a vanished incident yields nothing, and so does one never seen nor present', () => {
    const { read } = fixture();
    expect(incidentEvents(read(), null)).toEqual([]);
    expect(incidentEvents(null, null)).toEqual([]);
    expect(processedState(read(), null)).toEqual(read());
  });

  it('[W4] resolving carries the resolution notes of the state after', () => {
    const { doc, id, o, read } = fixture();
    setStatus(doc, id, 'fixing', 'ann', o());
    const before = read();
    setStatus(doc, id, 'resolved', 'ann', o({ resolutionNotes: 'Upstream job re-run' }));
    expect(incidentEvents(before, read())).toEqual([
      { kind: 'resolved', from: 'fixing', notes: 'Upstream job re-run' }
    ]);
  });

  it('[W4] leaving Resolved is a reopen, never also a status change', () => {
    const { doc, id, o, read } = fixture();
    setStatus(doc, id, 'resolved', 'ann', o({ resolutionNotes: 'x' }));
    const before = read();
    setStatus(doc, id, 'reported', 'ann', o());
    setStatus(doc, id, 'investigating', 'ann', o());
    expect(incidentEvents(before, read())).toEqual([{ kind: 'reopened', to: 'investigating' }]);
  });

  it('[W4] status moves net out: Reported → Investigating → Reported is nothing, → Fixing is one move', () => {
    const { doc, id, o, read } = fixture();
    const before = read();
    setStatus(doc, id, 'investigating', 'ann', o());
    setStatus(doc, id, 'reported', 'ann', o());
    expect(incidentEvents(before, read())).toEqual([]);
    setStatus(doc, id, 'investigating', 'ann', o());
    setStatus(doc, id, 'fixing', 'ann', o());
    expect(incidentEvents(before, read())).toEqual([{ kind: 'status', from: 'reported', to: 'fixing' }]);
  });

  it('[W4] a reopen and re-resolve in one batch is no event, even with new notes', () => {
    const { doc, id, o, read } = fixture();
    setStatus(doc, id, 'resolved', 'ann', o({ resolutionNotes: 'first' }));
    const before = read();
    setStatus(doc, id, 'fixing', 'ann', o());
    setStatus(doc, id, 'resolved', 'ann', o({ resolutionNotes: 'second' }));
    expect(incidentEvents(before, read())).toEqual([]);
  });

  it('[W5] severity and lead changes are one event each, a removed lead included', () => {
    const { doc, id, o, read } = fixture({ severity: 'minor', leadId: 'ann' });
    const before = read();
    setSeverity(doc, id, 'major', 'ann', o());
    setSeverity(doc, id, 'critical', 'ann', o());
    setLead(doc, id, null, 'ann', o());
    setTitle(doc, id, 'Renamed', 'ann', o());
    setDescription(doc, id, 'More detail', 'ann', o());
    expect(incidentEvents(before, read())).toEqual([
      { kind: 'severity', from: 'minor', to: 'critical' },
      { kind: 'lead', from: 'ann', to: null }
    ]);
  });

  it('[W6] link then unlink of the same result in one batch is nothing', () => {
    const { doc, id, o, read } = fixture();
    const before = read();
    linkResult(doc, id, { resultId: 'r2', checkId: 'pg:r2' }, 'ann', o());
    unlinkResult(doc, id, 'r2', 'ann', o());
    expect(incidentEvents(before, read())).toEqual([]);
  });

  it('[W6] linked and unlinked results come in one event each, sorted by result id', () => {
    const { doc, id, o, read } = fixture({ results: ['r1', 'r2', 'r3'] });
    const before = read();
    for (const r of ['r9', 'r4', 'r7']) linkResult(doc, id, { resultId: r, checkId: `pg:${r}` }, 'ann', o());
    unlinkResult(doc, id, 'r3', 'ann', o());
    unlinkResult(doc, id, 'r1', 'ann', o());
    expect(incidentEvents(before, read())).toEqual([
      { kind: 'linked', results: ['r4', 'r7', 'r9'].map((r) => ({ resultId: r, checkId: `pg:${r}` })) },
      { kind: 'unlinked', results: ['r1', 'r3'].map((r) => ({ resultId: r, checkId: `pg:${r}` })) }
    ]);
  });

  it('[W7] a reopen comes before the batch’s updates, a resolve after them', () => {
    const { doc, id, o, read } = fixture({ severity: 'minor' });
    setStatus(doc, id, 'resolved', 'ann', o());
    const resolved = read();
    setStatus(doc, id, 'fixing', 'ann', o());
    setSeverity(doc, id, 'major', 'ann', o());
    setLead(doc, id, 'bob', 'ann', o());
    linkResult(doc, id, { resultId: 'r2', checkId: 'pg:r2' }, 'ann', o());
    unlinkResult(doc, id, 'r1', 'ann', o());
    const reopened = read();
    expect(incidentEvents(resolved, reopened).map((e) => e.kind)).toEqual([
      'reopened',
      'severity',
      'lead',
      'linked',
      'unlinked'
    ]);
    setSeverity(doc, id, 'critical', 'ann', o());
    setLead(doc, id, 'cy', 'ann', o());
    linkResult(doc, id, { resultId: 'r3', checkId: 'pg:r3' }, 'ann', o());
    unlinkResult(doc, id, 'r2', 'ann', o());
    setStatus(doc, id, 'resolved', 'ann', o());
    expect(incidentEvents(reopened, read()).map((e) => e.kind)).toEqual([
      'severity',
      'lead',
      'linked',
      'unlinked',
      'resolved'
    ]);
  });

  it('[W8] two browsers setting the same status concurrently merge to one value and one event', () => {
    const a = fixture();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a.doc));
    const server = new Y.Doc();
    Y.applyUpdate(server, Y.encodeStateAsUpdate(a.doc));
    const read = () => readIncident(getIncidentMap(server, a.id)!);
    const s0 = read();
    setStatus(a.doc, a.id, 'investigating', 'ann', { at: iso(5) });
    setStatus(b, a.id, 'investigating', 'bob', { at: iso(5) });
    const updA = Y.encodeStateAsUpdate(a.doc, Y.encodeStateVector(server));
    const updB = Y.encodeStateAsUpdate(b, Y.encodeStateVector(server));

    Y.applyUpdate(server, updA);
    const s1 = read();
    Y.applyUpdate(server, updB);
    const s2 = read();
    expect(s2.timeline.filter((e) => e.kind === 'status')).toHaveLength(2);
    const inTwo = [...incidentEvents(s0, s1), ...incidentEvents(s1, s2)];
    expect(inTwo).toEqual([{ kind: 'status', from: 'reported', to: 'investigating' }]);
    expect(incidentEvents(s0, s2)).toEqual(inTwo);
  });

  it('[W10] a status or severity outside the vocabulary is no change; processedState keeps the last valid one', () => {
    const { doc, id, o, read } = fixture({ severity: 'minor' });
    const before = read();
    const m = getIncidentMap(doc, id)!;
    doc.transact(() => {
      m.set('status', 'banana');
      m.set('severity', 'enormous');
    });
    setLead(doc, id, 'bob', 'ann', o());
    const garbled = read();
    expect(incidentEvents(before, garbled)).toEqual([{ kind: 'lead', from: null, to: 'bob' }]);
    const stored = processedState(before, garbled)!;
    expect(stored).toMatchObject({ status: 'reported', severity: 'minor', leadId: 'bob' });
    // Someone then sets a real value: announced from the last real one, not lost.
    setStatus(doc, id, 'fixing', 'ann', o());
    setSeverity(doc, id, 'major', 'ann', o());
    expect(incidentEvents(stored, read())).toEqual([
      { kind: 'severity', from: 'minor', to: 'major' },
      { kind: 'status', from: 'reported', to: 'fixing' }
    ]);
    // A brand-new incident with a garbled status reads as still Reported.
    expect(incidentEvents(null, garbled)).toEqual([{ kind: 'created' }, { kind: 'lead', from: null, to: 'bob' }]);
    expect(processedState(null, garbled)).toMatchObject({ status: 'reported', severity: 'minor' });
  });

  it('[W10] malformed input never throws and yields only what can be told', () => {
    const { doc, id, o, read } = fixture({ results: ['r1'] });
    setStatus(doc, id, 'fixing', 'ann', o());
    const good = read();
    const junk: unknown[] = [
      undefined,
      null,
      42,
      'incident',
      [],
      {},
      { status: 7, severity: null, leadId: 3, results: 'r1', timeline: {} },
      { ...good, results: [null, 5, { resultId: 'r1' }, { resultId: 'r2', checkId: 'pg:r2' }] },
      { ...good, timeline: [null, 1, { kind: 'created', to: 'x' }, { kind: 'lead' }, { kind: 'unlinked', from: 3 }] }
    ];
    for (const a of junk) {
      for (const b of junk) {
        expect(() => incidentEvents(a as Incident, b as Incident)).not.toThrow();
        expect(() => processedState(a as Incident, b as Incident)).not.toThrow();
      }
      expect(() => incidentEvents(a as Incident, good)).not.toThrow();
      expect(() => incidentEvents(good, a as Incident)).not.toThrow();
    }
    // A result entry without a check id counts as not linked; a corrupt stored state is not "never seen".
    expect(incidentEvents(good, junk[7] as Incident)).toEqual([
      { kind: 'linked', results: [{ resultId: 'r2', checkId: 'pg:r2' }] },
      { kind: 'unlinked', results: [{ resultId: 'r1', checkId: 'pg:r1' }] }
    ]);
    expect(incidentEvents(42 as unknown as Incident, good)).toEqual([
      { kind: 'linked', results: [{ resultId: 'r1', checkId: 'pg:r1' }] }
    ]);
    expect(incidentEvents(good, 'gone' as unknown as Incident)).toEqual([]);
  });

  it('[W10] it is pure: inputs are not changed and equal inputs give equal events', () => {
    const { doc, id, o, read } = fixture();
    const before = read();
    setStatus(doc, id, 'resolved', 'ann', o({ resolutionNotes: 'n' }));
    linkResult(doc, id, { resultId: 'r2', checkId: 'pg:r2' }, 'ann', o());
    const after = read();
    const copies = structuredClone([before, after]);
    const first = incidentEvents(before, after);
    expect(incidentEvents(copies[0], copies[1])).toEqual(first);
    expect(incidentEvents(null, after)).toEqual(incidentEvents(null, copies[1]));
    expect([before, after]).toEqual(copies);
  });

  it('[W4] isReopen is the one rule for leaving Resolved', () => {
    expect(isReopen('resolved', 'fixing')).toBe(true);
    expect(isReopen('resolved', 'resolved')).toBe(false);
    expect(isReopen('fixing', 'resolved')).toBe(false);
    expect(isReopen('reported', 'fixing')).toBe(false);
  });
});

interface Case {
  seed: number;
  log: Uint8Array[];
  /** Updates the server had already processed before the batch under test. */
  cut: number;
  /** The server's states s0 … sn when it receives the batch in random consecutive groups. */
  states: Snapshot[];
}

/** One history and one grouped replay per seed, shared by the properties below (most of the cost). */
const cases = (() => {
  let memo: Case[] | undefined;
  return () =>
    (memo ??= SEEDS.map((seed) => {
      const rng = new Rng(seed);
      const log = history(rng, { replicas: 1 + (seed % 3), steps: 20 + rng.int(30), garbage: 0 });
      const cut = rng.bool(0.3) ? 0 : rng.int(log.length + 1);
      return { seed, log, cut, states: replay(rng, log, cut, randomGrouping(rng, log.length - cut)) };
    }));
})();

function netEvents(s0: Snapshot, sn: Snapshot): Map<string, IncidentEvent[]> {
  return new Map(idsOf([s0, sn]).map((id) => [id, incidentEvents(s0.get(id) ?? null, sn.get(id) ?? null)]));
}

describe('watcher: properties', () => {
  it(`[W8] the events of a batch do not depend on how its updates were grouped (${RUNS} seeds)`, () => {
    let events = 0;
    for (const { seed, log, cut, states } of cases()) {
      const rng = new Rng(seed + 1_000_000);
      const n = log.length - cut;
      const reference = netEvents(states[0]!, states[states.length - 1]!);
      const groupings = [[n], randomGrouping(rng, n)];
      // One update per group is the slowest replay: every fourth history is enough for it.
      if (seed % 4 === 0) groupings.push(Array<number>(n).fill(1));
      for (const sizes of groupings) {
        const other = replay(rng, log, cut, n ? sizes : [], true);
        expect(netEvents(other[0]!, other[other.length - 1]!), `seed ${seed}`).toEqual(reference);
      }
      events += [...reference.values()].flat().length;
    }
    expect(events).toBeGreaterThan(RUNS); // the histories are not trivial
  });

  it(`[W9][W4] per-batch events compose to the net events of the whole span (${RUNS} seeds)`, () => {
    const seen = { cancelled: 0, createdAndResolved: 0, reopened: 0, chained: 0, resolved: 0 };
    for (const { seed, states } of cases()) {
      const { steps } = watchSteps(states);
      const [s0, sn] = [states[0]!, states[states.length - 1]!];
      for (const id of idsOf(states)) {
        const perBatch = steps.map((step) => step.get(id) ?? []);
        const net = incidentEvents(s0.get(id) ?? null, sn.get(id) ?? null);
        expect(withoutNotes(compose(perBatch)), `seed ${seed} incident ${id}`).toEqual(withoutNotes(net));
        // Nothing fires twice within one call: one event per kind, at most one status-kind event.
        for (const events of [...perBatch, net]) {
          const kinds = events.map((e) => (statusTransition(e) ? 'status' : e.kind));
          expect(new Set(kinds).size, `seed ${seed} incident ${id}`).toBe(kinds.length);
        }
        // W4: a resolved event carries the notes of the state it was derived from.
        perBatch.forEach((events, k) => {
          for (const e of events) {
            if (e.kind !== 'resolved') continue;
            seen.resolved++;
            expect(e.notes, `seed ${seed} incident ${id}`).toBe(states[k + 1]!.get(id)!.resolutionNotes);
          }
        });
        if (perBatch.flat().length > net.length) seen.cancelled++;
        if (net[0]?.kind === 'created' && net.some((e) => e.kind === 'resolved')) seen.createdAndResolved++;
        if (net.some((e) => e.kind === 'reopened')) seen.reopened++;
        if (perBatch.filter((b) => b.some(statusTransition)).length > 1) seen.chained++;
      }
    }
    // The generator reaches the cases the law is about.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(RUNS / 20);
  });

  it(`[W10] with garbage written now and then, stored processed states keep composition exact (${RUNS} seeds)`, () => {
    let garbled = 0;
    for (const seed of SEEDS) {
      const rng = new Rng(seed + 3_000_000);
      const log = history(rng, { replicas: 1 + (seed % 3), steps: 30, garbage: 0.15 });
      const states = replay(rng, log, 0, randomGrouping(rng, log.length));
      const { steps, stored } = watchSteps(states);
      const sn = states[states.length - 1]!;
      for (const id of idsOf(states)) {
        const perBatch = steps.map((step) => step.get(id) ?? []);
        const net = incidentEvents(null, stored.get(id) ?? null);
        expect(withoutNotes(compose(perBatch)), `seed ${seed} incident ${id}`).toEqual(withoutNotes(net));
        const final = sn.get(id)!;
        // Where the final state is valid, the stored chain agrees with it exactly.
        if (STATUSES.includes(final.status) && SEVERITIES.includes(final.severity)) {
          expect(incidentEvents(null, final), `seed ${seed} incident ${id}`).toEqual(net);
        } else garbled++;
      }
    }
    expect(garbled).toBeGreaterThan(RUNS / 20);
  });
});
