import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  assignNumbers,
  createIncident,
  incidentsMap,
  numbersMap,
  parseIncident,
  setLead,
  setStatus,
  type IncidentMap
} from '@firebreak/shared';
import { connectWorkspace, signIn, startTestServer, until, type Session } from '../test/harness.ts';
import type { RunningServer } from '../server.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(dataDir?: string) {
  const { server, dataDir: dir } = await startTestServer(dataDir ? { dataDir } : {});
  cleanups.push(() => server.close());
  const ada = await signIn(server, { name: 'Ada' });
  const bob = await signIn(server, { name: 'Bob' });
  const a = client(server, ada);
  const b = client(server, bob);
  await Promise.all([a.synced(), b.synced()]);
  return { server, dataDir: dir, ada, bob, a, b };
}

function client(server: RunningServer, s: Session) {
  const c = connectWorkspace(server, s);
  cleanups.push(() => c.destroy());
  return c;
}

/** Watches a replica and records any moment an incident did not parse (a browser would show a placeholder). */
function watchParse(doc: Y.Doc) {
  const broken: string[] = [];
  incidentsMap(doc).observeDeep(() => {
    for (const [id, m] of incidentsMap(doc).entries()) {
      const r = parseIncident(id, m);
      if (!r.ok) broken.push(`${id}: ${r.problems.join(', ')}`);
    }
  });
  return broken;
}

const serverIncident = async (s: RunningServer, id: string) => {
  const room = await s.relay.getRoom('default');
  return parseIncident(id, incidentsMap(room.doc).get(id));
};

describe('accept and compensate', () => {
  it('[V1] an unknown status or severity is set back to the last valid value, in the same frame others receive', async () => {
    const { server, ada, a, b } = await setup();
    const id = createIncident(a.doc, { title: 'Nulls', severity: 'major' }, ada.member.id);
    setStatus(a.doc, id, 'investigating', ada.member.id);
    await until(() => incidentsMap(b.doc).get(id)?.get('status') === 'investigating', 5000, 'B synced');
    const broken = watchParse(b.doc);
    const m = incidentsMap(a.doc).get(id)!;
    a.doc.transact(() => {
      m.set('status', 'on-fire');
      m.set('severity', 'apocalyptic');
    });
    await until(() => m.get('status') === 'investigating', 5000, 'A repaired');
    await until(() => (m.get('severity') as string) === 'major', 5000, 'severity repaired');
    await new Promise((r) => setTimeout(r, 100));
    expect(incidentsMap(b.doc).get(id)?.get('status')).toBe('investigating');
    expect(broken).toEqual([]);
    expect((await serverIncident(server, id)).ok).toBe(true);
  });

  it('[V2] a lead who is not a member, and fields of the wrong type, are repaired', async () => {
    const { server, ada, bob, a } = await setup();
    const id = createIncident(a.doc, { title: 'Lead', severity: 'minor' }, ada.member.id);
    setLead(a.doc, id, bob.member.id, ada.member.id);
    const m = incidentsMap(a.doc).get(id)!;
    await until(async () => (await serverIncident(server, id)).ok, 5000, 'stored');
    a.doc.transact(() => {
      m.set('leadId', 'nobody-at-all');
      m.set('title', 42);
      m.set('description', 'a plain string, not text');
      m.set('results', 'nope');
    });
    await until(
      async () => {
        const r = await serverIncident(server, id);
        return r.ok && r.incident.leadId === bob.member.id && r.incident.title === 'Lead';
      },
      5000,
      'repaired on the server'
    );
    await until(() => m.get('description') instanceof Y.Text && m.get('leadId') === bob.member.id, 5000, 'A repaired');
    expect((m.get('description') as Y.Text).toString()).toBe(''); // the last valid text, not the garbage
  });

  it('[V2] a title that breaks the title rule (empty, untrimmed, over 300 characters) is set back', async () => {
    // Found by the fuzz (FZ3, seed 11): the validator checked titles against the read schema, which
    // takes any string, so a 301-character title written straight into the document stood.
    const { server, ada, a, b } = await setup();
    const id = createIncident(a.doc, { title: 'Short and valid', severity: 'minor' }, ada.member.id);
    await until(async () => (await serverIncident(server, id)).ok, 5000, 'stored');
    const m = incidentsMap(a.doc).get(id)!;
    const severities = ['major', 'critical', 'minor'] as const;
    for (const [i, bad] of ['x'.repeat(301), '', ' padded '].entries()) {
      // A valid change in the same transaction marks when the server (and B) have the write.
      a.doc.transact(() => {
        m.set('title', bad);
        m.set('severity', severities[i]!);
      });
      await until(() => incidentsMap(b.doc).get(id)?.get('severity') === severities[i], 5000, 'B got the write');
      const r = await serverIncident(server, id);
      expect(r.ok && [r.incident.severity, r.incident.title]).toEqual([severities[i], 'Short and valid']);
      expect(incidentsMap(b.doc).get(id)?.get('title')).toBe('Short and valid');
    }
    // 300 characters is within the rule and stays.
    m.set('title', 'y'.repeat(300));
    await until(() => incidentsMap(b.doc).get(id)?.get('title') === 'y'.repeat(300), 5000, 'B got the long title');
    const r = await serverIncident(server, id);
    expect(r.ok && r.incident.title).toBe('y'.repeat(300));
  });

  it('[V3] a `by` naming someone else is rewritten to the writer; so are a forged reporter and linker', async () => {
    const { server, ada, bob, a } = await setup();
    // Ada's client writes as if Bob did it.
    const id = createIncident(a.doc, { title: 'Forged', severity: 'minor' }, bob.member.id);
    setStatus(a.doc, id, 'fixing', bob.member.id);
    await until(
      async () => {
        const r = await serverIncident(server, id);
        return r.ok && r.incident.timeline.length === 2 && r.incident.timeline.every((e) => e.by === ada.member.id);
      },
      5000,
      'history attributed to the real writer'
    );
    const r = await serverIncident(server, id);
    expect(r.ok && r.incident.reporterId).toBe(ada.member.id);
    const m = incidentsMap(a.doc).get(id)!;
    (m.get('results') as Y.Map<unknown>).set('res-1', {
      checkId: 'c',
      linkedAt: new Date().toISOString(),
      linkedBy: bob.member.id
    });
    await until(
      async () => {
        const r2 = await serverIncident(server, id);
        return r2.ok && r2.incident.results[0]?.linkedBy === ada.member.id;
      },
      5000,
      'linker repaired'
    );
  });

  it('[V4] a deleted incident comes back with its history; timeline entries that do not parse are removed', async () => {
    const { server, ada, a, b } = await setup();
    const id = createIncident(a.doc, { title: 'Keep me', severity: 'critical' }, ada.member.id);
    setStatus(a.doc, id, 'investigating', ada.member.id);
    await until(async () => (await serverIncident(server, id)).ok, 5000, 'stored');
    incidentsMap(a.doc).delete(id);
    await until(() => incidentsMap(b.doc).get(id)?.get('title') === 'Keep me', 5000, 'restored for B');
    await until(() => incidentsMap(a.doc).has(id), 5000, 'restored for A');
    const restored = await serverIncident(server, id);
    expect(restored.ok && restored.incident.timeline.map((e) => e.kind)).toEqual(['created', 'status']);

    const timeline = incidentsMap(a.doc).get(id)!.get('timeline') as Y.Array<unknown>;
    const last = timeline.get(timeline.length - 1) as { id: string };
    timeline.push([null, { id: 'x', by: ada.member.id, kind: 'status' }, { ...last }]);
    await until(() => timeline.length === 2, 5000, 'bad entries removed');
  });

  it('[V5] a non-incident value in `incidents` is removed, numbering goes on, and the room loads after a restart', async () => {
    const { server, dataDir, ada, a } = await setup();
    incidentsMap(a.doc).set('x', 42 as unknown as IncidentMap);
    const id = createIncident(a.doc, { title: 'After garbage', severity: 'minor' }, ada.member.id);
    await until(() => numbersMap(a.sys).has(id), 5000, 'numbered despite the garbage');
    await until(() => !incidentsMap(a.doc).has('x'), 5000, 'garbage removed');
    await server.close();
    const { server: again } = await startTestServer({ dataDir });
    cleanups.push(() => again.close());
    const fresh = client(again, ada);
    await fresh.synced();
    await until(() => incidentsMap(fresh.doc).has(id), 5000, 'room loads after restart');
  });

  it('[V6] garbage already in the store (written before these rules) is repaired when the room loads', async () => {
    const { server, dataDir, ada, a } = await setup();
    const id = createIncident(a.doc, { title: 'Old', severity: 'minor' }, ada.member.id);
    await until(async () => (await serverIncident(server, id)).ok, 5000, 'stored');
    await server.close();
    // Append a bad update straight into the log, as an older server without validation would have.
    const { openDatabase } = await import('../db/open.ts');
    const { SqliteDocStore } = await import('../store/sqlite-doc-store.ts');
    const db = openDatabase(dataDir);
    const store = new SqliteDocStore(db);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await store.load('default')).state!);
    const before = Y.encodeStateVector(doc);
    incidentsMap(doc).set('junk', 'not a map' as unknown as IncidentMap);
    incidentsMap(doc).get(id)!.set('status', 'weird');
    store.append('default', 'default', Y.encodeStateAsUpdate(doc, before));
    db.close();
    const { server: again } = await startTestServer({ dataDir });
    cleanups.push(() => again.close());
    const room = await again.relay.getRoom('default');
    await until(() => !incidentsMap(room.doc).has('junk'), 5000, 'junk removed on load');
    expect(incidentsMap(room.doc).get(id)?.get('status')).toBe('reported');
    // Numbering never trips over what is left.
    const sys = new Y.Doc();
    expect(() => assignNumbers(room.doc, sys)).not.toThrow();
  });
});
