import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { Rng } from '../test/random.ts';
import { SEVERITIES, STATUSES, type Origin } from '../vocab.ts';
import { listIncidents } from './doc.ts';
import {
  createIncident,
  linkResult,
  setDescription,
  setLead,
  setResolutionNotes,
  setSeverity,
  setStatus,
  setTitle,
  unlinkResult
} from './ops.ts';
import type { Incident } from './schema.ts';

/**
 * Convergence the way Yjs tests itself: several replicas, random domain operations on random
 * replicas, updates queued per receiver and delivered in random order and batches (duplicates
 * and state-vector syncs included), then everything flushed and all replicas compared.
 */

const REMOTE: Origin = { kind: 'remote' };
const PEOPLE = ['ann', 'bob', 'cy', 'dee'];
const T0 = Date.parse('2026-03-01T10:00:00.000Z');

class Network {
  readonly docs: Y.Doc[] = [];
  private readonly inbox: Uint8Array[][] = [];
  private readonly sent: Uint8Array[] = [];

  constructor(
    n: number,
    private readonly rng: Rng
  ) {
    for (let i = 0; i < n; i++) {
      const doc = new Y.Doc();
      doc.clientID = 1000 + i; // fixed ids so a failing seed replays the same conflict resolution
      this.inbox.push([]);
      doc.on('update', (u: Uint8Array, origin: unknown) => {
        if (origin === REMOTE) return; // every replica sends its own edits to all others directly
        this.sent.push(u);
        this.inbox.forEach((q, j) => j !== i && q.push(u));
      });
      this.docs.push(doc);
    }
  }

  get pending(): boolean {
    return this.inbox.some((q) => q.length > 0);
  }

  /** Delivers a random batch of one replica's queue, in random order, sometimes merged or duplicated. */
  deliverSome(): void {
    const { rng } = this;
    const targets = this.inbox.map((q, j) => (q.length ? j : -1)).filter((j) => j >= 0);
    if (!targets.length) return;
    const j = rng.pick(targets);
    const doc = this.docs[j]!;
    const q = this.inbox[j]!;
    const batch: Uint8Array[] = [];
    for (let k = rng.between(1, q.length); k > 0; k--) batch.push(q.splice(rng.int(q.length), 1)[0]!);
    if (rng.bool(0.2)) batch.push(rng.pick(this.sent)); // a duplicate (maybe the replica's own update)
    rng.shuffle(batch);
    if (rng.bool(0.3)) Y.applyUpdate(doc, Y.mergeUpdates(batch), REMOTE);
    else for (const u of batch) Y.applyUpdate(doc, u, REMOTE);
    if (rng.bool(0.05)) {
      // A reconnect: sync step 2 from a random peer carries whatever this replica lacks.
      const peer = this.docs[rng.int(this.docs.length)]!;
      Y.applyUpdate(doc, Y.encodeStateAsUpdate(peer, Y.encodeStateVector(doc)), REMOTE);
    }
  }

  flush(): void {
    while (this.pending) this.deliverSome();
  }
}

function randomEdit(rng: Rng, prev: string): string {
  if (prev && rng.bool(0.4)) {
    const start = rng.int(prev.length);
    return prev.slice(0, start) + prev.slice(start + rng.between(1, 6));
  }
  const pos = rng.int(prev.length + 1);
  return `${prev.slice(0, pos)}${rng.word(rng.between(1, 4))} ${prev.slice(pos)}`;
}

/** One random domain operation on one replica, against what that replica currently sees. */
function randomOp(rng: Rng, doc: Y.Doc, replica: number, seq: number, clock: { tick: number }): void {
  clock.tick += rng.int(3); // 0 makes equal timestamps: ties must not break convergence
  const opts = { at: new Date(T0 + clock.tick * 60_000).toISOString() };
  const by = rng.pick(PEOPLE);
  const incidents = listIncidents(doc).sort((a, b) => (a.id < b.id ? -1 : 1));
  const resultId = () => `r${rng.int(10)}`;
  if (!incidents.length || rng.bool(0.12)) {
    const results = Array.from({ length: rng.int(3) }, () => ({ resultId: resultId(), checkId: `pg:${rng.word(8)}` }));
    createIncident(
      doc,
      {
        id: `inc-${replica}-${seq}`,
        title: rng.word(),
        severity: rng.pick(SEVERITIES),
        description: rng.bool() ? rng.word(8) : '',
        results
      },
      by,
      opts
    );
    return;
  }
  const inc: Incident = rng.pick(incidents);
  switch (rng.int(9)) {
    case 0:
      return void setTitle(doc, inc.id, rng.word(), by, opts);
    case 1:
      return void setSeverity(doc, inc.id, rng.pick(SEVERITIES), by, opts);
    case 2:
    case 3: {
      const status = rng.pick(STATUSES);
      const notes = status === 'resolved' && rng.bool() ? { resolutionNotes: rng.word(6) } : {};
      return void setStatus(doc, inc.id, status, by, { ...opts, ...notes });
    }
    case 4:
      return void setLead(doc, inc.id, rng.bool(0.2) ? null : rng.pick(PEOPLE), by, opts);
    case 5:
      return void setDescription(doc, inc.id, randomEdit(rng, inc.description), by, opts);
    case 6:
      return void setResolutionNotes(doc, inc.id, randomEdit(rng, inc.resolutionNotes), by, opts);
    case 7:
      return void linkResult(doc, inc.id, { resultId: resultId(), checkId: `pg:${rng.word(8)}` }, by, opts);
    default:
      if (inc.results.length) return void unlinkResult(doc, inc.id, rng.pick(inc.results).resultId, by, opts);
  }
}

function snapshot(doc: Y.Doc): Incident[] {
  return listIncidents(doc).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function run(seed: number, replicas: number, steps: number) {
  const rng = new Rng(seed);
  const net = new Network(replicas, rng);
  const clock = { tick: 0 };
  for (let step = 0; step < steps; step++) {
    if (rng.bool(0.55)) {
      const r = rng.int(replicas);
      randomOp(rng, net.docs[r]!, r, step, clock);
    } else net.deliverSome();
  }
  net.flush();
  return net.docs;
}

describe('convergence', () => {
  const seeds = Array.from({ length: Number(process.env.SEEDS ?? 24) }, (_, i) => i + 1);
  it.each(seeds)('[C1] replicas converge under random delivery (seed %i)', (seed) => {
    const docs = run(seed, 3 + (seed % 3), 400);
    const [first, ...rest] = docs.map(snapshot);
    expect(first!.length).toBeGreaterThan(0);
    for (const other of rest) expect(other).toEqual(first);
    const sv = Y.encodeStateVector(docs[0]!);
    for (const d of docs.slice(1)) expect(Y.encodeStateVector(d)).toEqual(sv);
  });

  it.each(seeds)('[C2] merged incidents keep their invariants (seed %i)', (seed) => {
    const [doc] = run(seed, 3 + (seed % 3), 400);
    for (const inc of snapshot(doc!)) {
      expect(inc.timeline[0]?.kind).toBe('created');
      expect(new Set(inc.results.map((r) => r.resultId)).size).toBe(inc.results.length);
      if (inc.status !== 'resolved') expect(inc.resolvedAt).toBeNull();
      else expect(inc.resolvedAt).toEqual(expect.any(String));
    }
  });

  it('[C1] the same seed replays the same history', () => {
    const a = run(7, 4, 200).map(snapshot)[0]!;
    const b = run(7, 4, 200).map(snapshot)[0]!;
    // Event and incident ids differ only where ulid() draws fresh randomness; the shape is equal.
    const shape = (xs: Incident[]) => xs.map((x) => ({ ...x, timeline: x.timeline.map(({ id: _id, ...e }) => e) }));
    expect(shape(a)).toEqual(shape(b));
  });
});
