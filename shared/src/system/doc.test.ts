import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { createIncident } from '../incident/ops.ts';
import { SERVER } from '../vocab.ts';
import {
  assignNumbers,
  bumpCatalogVersion,
  catalogVersion,
  formatNumber,
  isSystemRoom,
  membersMap,
  numbersMap,
  systemRoomName,
  upsertMember
} from './doc.ts';

const iso = (minutes: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + minutes * 60_000).toISOString();

function create(doc: Y.Doc, id: string, minutes: number) {
  createIncident(doc, { id, title: id, severity: 'minor' }, 'ann', { at: iso(minutes) });
}

function numbers(sys: Y.Doc): Record<string, number> {
  return Object.fromEntries(numbersMap(sys).entries());
}

function sync(from: Y.Doc, to: Y.Doc) {
  Y.applyUpdate(to, Y.encodeStateAsUpdate(from, Y.encodeStateVector(to)));
}

describe('assignNumbers', () => {
  it('[N1] numbers incidents 1, 2, 3… in creation order, ties by id', () => {
    const ws = new Y.Doc();
    const sys = new Y.Doc();
    create(ws, 'c', 5);
    create(ws, 'a', 9);
    create(ws, 'z', 1);
    create(ws, 'b', 5);
    expect(assignNumbers(ws, sys)).toEqual([
      { id: 'z', number: 1 },
      { id: 'b', number: 2 },
      { id: 'c', number: 3 },
      { id: 'a', number: 4 }
    ]);
    expect(numbers(sys)).toEqual({ z: 1, b: 2, c: 3, a: 4 });
    expect(formatNumber(numbersMap(sys).get('c'))).toBe('INC-3');
    expect(formatNumber(numbersMap(sys).get('pending'))).toBeNull();
  });

  it('[N1] continues after the highest number without gaps, in one server transaction', () => {
    const ws = new Y.Doc();
    const sys = new Y.Doc();
    create(ws, 'a', 0);
    assignNumbers(ws, sys);
    const origins: unknown[] = [];
    sys.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    create(ws, 'b', 1);
    create(ws, 'c', 2);
    expect(assignNumbers(ws, sys).map((a) => a.number)).toEqual([2, 3]);
    expect(origins).toEqual([SERVER]);
    expect(Object.values(numbers(sys)).sort()).toEqual([1, 2, 3]);
  });

  it('[N2] is idempotent: a second call assigns nothing and writes nothing', () => {
    const ws = new Y.Doc();
    const sys = new Y.Doc();
    create(ws, 'a', 0);
    create(ws, 'b', 1);
    assignNumbers(ws, sys);
    const before = Y.encodeStateVector(sys);
    let transactions = 0;
    sys.on('afterTransaction', () => transactions++);
    expect(assignNumbers(ws, sys)).toEqual([]);
    expect(assignNumbers(ws, sys)).toEqual([]);
    expect(transactions).toBe(0);
    expect(Y.encodeStateVector(sys)).toEqual(before);
    expect(assignNumbers(new Y.Doc(), sys)).toEqual([]);
  });

  it('[N3] offline batches from two replicas get stable numbers whatever order they arrive in', () => {
    for (const firstArrives of ['ann', 'bob'] as const) {
      const server = new Y.Doc();
      const sys = new Y.Doc();
      create(server, 'seed', 0);
      assignNumbers(server, sys);
      const ann = new Y.Doc();
      const bob = new Y.Doc();
      sync(server, ann);
      sync(server, bob);
      // Both offline; their creation times interleave.
      create(ann, 'ann-1', 10);
      create(bob, 'bob-1', 11);
      create(ann, 'ann-2', 12);
      create(bob, 'bob-2', 13);
      const [first, second] = firstArrives === 'ann' ? [ann, bob] : [bob, ann];
      sync(first, server);
      const firstNumbers = assignNumbers(server, sys);
      expect(firstNumbers.map((a) => a.number)).toEqual([2, 3]);
      const snapshot = numbers(sys);
      sync(second, server);
      sync(first, server); // a duplicate delivery changes nothing
      const secondNumbers = assignNumbers(server, sys);
      expect(secondNumbers.map((a) => a.number)).toEqual([4, 5]);
      expect(numbers(sys)).toMatchObject(snapshot); // numbers, once given, never move
      expect(firstNumbers.map((a) => a.id)).toEqual(firstArrives === 'ann' ? ['ann-1', 'ann-2'] : ['bob-1', 'bob-2']);
      expect(Object.values(numbers(sys)).sort()).toEqual([1, 2, 3, 4, 5]);
    }
  });

  it('[N3] batches that arrive together are numbered in creation order across replicas', () => {
    const server = new Y.Doc();
    const sys = new Y.Doc();
    const ann = new Y.Doc();
    const bob = new Y.Doc();
    create(ann, 'ann-1', 10);
    create(bob, 'bob-1', 11);
    create(ann, 'ann-2', 12);
    sync(bob, server);
    sync(ann, server);
    expect(assignNumbers(server, sys)).toEqual([
      { id: 'ann-1', number: 1 },
      { id: 'bob-1', number: 2 },
      { id: 'ann-2', number: 3 }
    ]);
  });
});

describe('system document', () => {
  it('[S1] names the system room after the workspace', () => {
    expect(systemRoomName('ws1')).toBe('ws1.system');
    expect(isSystemRoom('ws1.system')).toBe(true);
    expect(isSystemRoom('ws1')).toBe(false);
  });

  it('[S2] bumps the catalog version from 0', () => {
    const sys = new Y.Doc();
    expect(catalogVersion(sys)).toBe(0);
    expect(bumpCatalogVersion(sys)).toBe(1);
    expect(bumpCatalogVersion(sys)).toBe(2);
    expect(catalogVersion(sys)).toBe(2);
  });

  it('[S3] upserts members, keeps the first joinedAt and skips unchanged writes', () => {
    const sys = new Y.Doc();
    const ann = {
      id: 'm1',
      name: 'Ann',
      email: 'ann@example.com',
      role: 'editor' as const,
      joinedAt: iso(0),
      removedAt: null
    };
    expect(upsertMember(sys, ann)).toBe(true);
    expect(upsertMember(sys, { ...ann, joinedAt: iso(5) })).toBe(false);
    expect(upsertMember(sys, { ...ann, name: 'Ann B.', joinedAt: iso(5) })).toBe(true);
    expect(membersMap(sys).get('m1')).toEqual({ ...ann, name: 'Ann B.' });
    expect(upsertMember(sys, { ...ann, name: 'Ann B.', removedAt: iso(9) })).toBe(true);
  });
});
