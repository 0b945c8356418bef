import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
  createIncident,
  formatNumber,
  incidentsMap,
  listIncidents,
  numbersMap,
  setStatus,
  systemRoomName
} from '@firebreak/shared';
import {
  connectClient,
  connectWorkspace,
  signIn,
  startTestServer,
  until,
  wsBase,
  type Session
} from '../test/harness.ts';
import type { RunningServer } from '../server.ts';
import { CloseCode, MESSAGE_AWARENESS, updateMessage } from './protocol.ts';
import { SYNC_REQUEST_BURST } from './limits.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(overrides?: Parameters<typeof startTestServer>[1], dataDir?: string) {
  const s = await startTestServer(dataDir ? { dataDir } : {}, overrides);
  cleanups.push(() => s.server.close());
  const editor = await signIn(s.server, { name: 'Ada' });
  return { ...s, editor };
}

function client(s: RunningServer, session: Session) {
  const c = connectWorkspace(s, session);
  cleanups.push(() => c.destroy());
  return c;
}

/** A raw websocket to a room, recording frames and the close code and reason. */
function raw(s: RunningServer, room: string, session: Session | null, headers: Record<string, string> = {}) {
  const ws = new WebSocket(`${wsBase(s)}/${room}`, {
    headers: { ...(session ? { cookie: session.cookie } : {}), ...headers }
  });
  ws.binaryType = 'nodebuffer';
  const frames: Uint8Array[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  );
  ws.on('message', (d: Buffer) => frames.push(new Uint8Array(d)));
  ws.on('error', () => {});
  const open = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  cleanups.push(() => ws.terminate());
  return { ws, frames, closed, open };
}

function syncStep1(doc = new Y.Doc()): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, 0);
  syncProtocol.writeSyncStep1(enc, doc);
  return encoding.toUint8Array(enc);
}

function applyFrames(frames: Uint8Array[], doc: Y.Doc) {
  for (const f of frames) {
    const d = decoding.createDecoder(f);
    if (decoding.readVarUint(d) !== 0) continue;
    syncProtocol.readSyncMessage(d, encoding.createEncoder(), doc, null);
  }
}

describe('relay', () => {
  it('[R1] two clients converge on each other’s edits', async () => {
    const { server: s, editor } = await server();
    const grace = await signIn(s, { name: 'Grace' });
    const a = client(s, editor);
    const b = client(s, grace);
    await Promise.all([a.synced(), b.synced()]);
    const id = createIncident(a.doc, { title: 'Null emails', severity: 'major' }, editor.member.id);
    await until(() => incidentsMap(b.doc).has(id), 5000, 'B to see the incident');
    setStatus(b.doc, id, 'investigating', grace.member.id);
    await until(() => listIncidents(a.doc)[0]?.status === 'investigating', 5000, 'A to see the status');
    expect(listIncidents(a.doc)).toEqual(listIncidents(b.doc));
  });

  it('[R2] the server numbers new incidents in the system document', async () => {
    const { server: s, editor } = await server();
    const a = client(s, editor);
    await a.synced();
    const by = editor.member.id;
    const first = createIncident(a.doc, { title: 'one', severity: 'minor' }, by, { at: '2026-01-01T00:00:00.000Z' });
    const second = createIncident(a.doc, { title: 'two', severity: 'minor' }, by, { at: '2026-01-01T00:00:01.000Z' });
    await until(() => numbersMap(a.sys).size === 2, 5000, 'numbers');
    expect(formatNumber(numbersMap(a.sys).get(first))).toBe('INC-1');
    expect(formatNumber(numbersMap(a.sys).get(second))).toBe('INC-2');
  });

  it('[R3] clients cannot write the system document', async () => {
    const { server: s, editor } = await server();
    const a = client(s, editor);
    await a.synced();
    a.sys.getMap('numbers').set('forged', 999);
    createIncident(a.doc, { title: 'real', severity: 'minor' }, editor.member.id);
    await until(() => numbersMap(a.sys).size >= 2, 5000, 'a real number');
    const fresh = client(s, editor);
    await fresh.synced();
    await until(() => numbersMap(fresh.sys).size === 1, 5000, 'fresh client to see only the server’s number');
    expect(numbersMap(fresh.sys).has('forged')).toBe(false);
  });

  it('[R4] a malformed frame closes that connection with 4400, and the server keeps serving', async () => {
    const { server: s, editor } = await server();
    const good = client(s, editor);
    await good.synced();
    const bad = raw(s, 'default', editor);
    await bad.open;
    bad.ws.send(new Uint8Array([0, 2, 200, 1, 2, 3]));
    expect((await bad.closed).code).toBe(CloseCode.BadMessage);
    const other = raw(s, 'default', editor);
    await other.open;
    other.ws.send(new Uint8Array([77]));
    expect((await other.closed).code).toBe(CloseCode.BadMessage);
    const id = createIncident(good.doc, { title: 'still works', severity: 'minor' }, editor.member.id);
    const late = client(s, editor);
    await late.synced();
    await until(() => incidentsMap(late.doc).has(id), 5000, 'sync after bad frames');
  });

  it('[R4] an update whose delete set is malformed is refused whole: none of its structs reach the document', async () => {
    const { server: s, editor } = await server();
    const good = client(s, editor);
    await good.synced();
    // A valid struct (a new incidents key), then a delete set with an empty range: Yjs integrates
    // the struct before it fails on the delete set, so it must be refused before it is applied.
    const doc = new Y.Doc();
    const valid = (() => {
      let u: Uint8Array = new Uint8Array();
      doc.on('update', (x: Uint8Array) => (u = x));
      incidentsMap(doc).set('half-applied', new Y.Map() as never);
      return u;
    })();
    expect(valid[valid.length - 1]).toBe(0); // no deletions: the delete set is one 0 (no clients)
    const enc = encoding.createEncoder();
    encoding.writeUint8Array(enc, valid.subarray(0, valid.length - 1));
    for (const n of [1, 123456, 1, 5, 0]) encoding.writeVarUint(enc, n); // 1 client, id, 1 range, clock 5, length 0
    const bad = raw(s, 'default', editor);
    await bad.open;
    bad.ws.send(updateMessage(encoding.toUint8Array(enc)));
    expect((await bad.closed).code).toBe(CloseCode.BadMessage);
    const marker = createIncident(good.doc, { title: 'after the bad update', severity: 'minor' }, editor.member.id);
    const late = client(s, editor);
    await late.synced();
    await until(() => incidentsMap(late.doc).has(marker), 5000, 'sync after the bad update');
    expect(incidentsMap(late.doc).has('half-applied')).toBe(false);
    const room = s.relay.loadedRoom('default')!;
    expect(incidentsMap(room.doc).has('half-applied')).toBe(false);
  });

  it('[R5] a text frame closes the connection with 4400', async () => {
    const { server: s, editor } = await server();
    const c = raw(s, 'default', editor);
    await c.open;
    c.ws.send('hello');
    expect((await c.closed).code).toBe(CloseCode.BadMessage);
  });

  it('[R6] a frame over the cap closes the connection with 4413, also past the socket’s own limit', async () => {
    const { server: s, editor } = await server({ relay: { maxMessageBytes: 1024 } });
    const c = raw(s, 'default', editor);
    await c.open;
    c.ws.send(new Uint8Array(4096));
    expect((await c.closed).code).toBe(CloseCode.TooLarge);
    // The socket's payload cap sits at FIREBREAK_MAX_MESSAGE_BYTES: beyond it ws would say 1009.
    const { server: small } = await startTestServer({ maxMessageBytes: 2048 });
    cleanups.push(() => small.close());
    const member = await signIn(small);
    const big = raw(small, 'default', member);
    await big.open;
    big.ws.send(new Uint8Array(64 * 1024));
    const closed = await big.closed;
    expect(closed.code).toBe(CloseCode.TooLarge);
    expect(closed.reason).toMatch(/too large/);
  });

  it('[R7] an unknown room closes with 4404', async () => {
    const { server: s, editor } = await server();
    const c = raw(s, 'someone-elses-workspace', editor);
    expect((await c.closed).code).toBe(CloseCode.NotFound);
  });

  it('[R8] an update is echoed to every connection, the sender included', async () => {
    const { server: s, editor } = await server();
    const c = raw(s, 'default', editor);
    await c.open;
    await until(() => c.frames.length > 0, 5000, 'sync step 1');
    const doc = new Y.Doc();
    doc.getMap('x').set('k', 'v');
    c.ws.send(updateMessage(Y.encodeStateAsUpdate(doc)));
    const echoed = await until(
      () =>
        c.frames.find((f) => {
          const d = decoding.createDecoder(f);
          return decoding.readVarUint(d) === 0 && decoding.readVarUint(d) === syncProtocol.messageYjsUpdate;
        }),
      5000,
      'echo'
    );
    expect(echoed).toBeTruthy();
  });

  it('[R9] a restarted server answers the first sync step with the persisted state', async () => {
    const { server: s1, dataDir, editor } = await server();
    const a = client(s1, editor);
    await a.synced();
    const id = createIncident(a.doc, { title: 'survives restart', severity: 'critical' }, editor.member.id);
    await until(() => numbersMap(a.sys).has(id), 5000, 'number');
    a.destroy();
    await s1.close();
    const { server: s2 } = await startTestServer({ dataDir });
    cleanups.push(() => s2.close());
    // The session survives the restart too (it is in the data folder, not in memory).
    const c = raw(s2, 'default', editor);
    await c.open;
    c.ws.send(syncStep1());
    const doc = new Y.Doc();
    await until(
      () => {
        applyFrames(c.frames, doc);
        return incidentsMap(doc).has(id);
      },
      5000,
      'persisted incident in the first reply'
    );
  });

  it('[R10] idle rooms are compacted and unloaded, and reload intact', async () => {
    const { server: s, editor } = await server({ relay: { roomIdleMs: 0, compactAfterUpdates: 10 } });
    const a = client(s, editor);
    await a.synced();
    for (let i = 0; i < 30; i++) createIncident(a.doc, { title: `i${i}`, severity: 'minor' }, editor.member.id);
    await until(() => numbersMap(a.sys).size === 30, 5000, 'numbers');
    a.destroy();
    await until(
      async () => {
        await s.relay.sweep();
        return s.relay.loadedRooms().length === 0;
      },
      20_000, // the first compaction may wait for the worker thread to start on a busy machine
      'rooms to unload'
    );
    const b = client(s, editor);
    await b.synced();
    await until(() => incidentsMap(b.doc).size === 30 && numbersMap(b.sys).size === 30, 5000, 'reloaded state');
  });

  it('[R11] the system room of a workspace is served read-only to a plain y-websocket client', async () => {
    const { server: s, editor } = await server();
    const sys = connectClient(wsBase(s), systemRoomName('default'), editor);
    cleanups.push(() => sys.provider.destroy());
    await until(() => sys.provider.synced, 5000, 'system sync');
    expect(sys.provider.wsconnected).toBe(true);
  });
});

describe('relay: who may connect', () => {
  it('[R14] no session is refused with 4401, another workspace’s member with 4403, before any document byte', async () => {
    const { server: s } = await server();
    s.access.createWorkspace('other', 'Other team');
    const outsider = await signIn(s, { workspaceId: 'other' });
    const anonymous = raw(s, 'default', null);
    const closedAnon = await anonymous.closed;
    expect(closedAnon.code).toBe(CloseCode.Unauthorized);
    expect(closedAnon.reason).toMatch(/invite/);
    const forged = raw(s, 'default', { ...outsider, cookie: 'firebreak_session=forged.signature' });
    expect((await forged.closed).code).toBe(CloseCode.Unauthorized);
    const wrong = raw(s, 'default', outsider);
    expect((await wrong.closed).code).toBe(CloseCode.Forbidden);
    const wrongSys = raw(s, systemRoomName('default'), outsider);
    expect((await wrongSys.closed).code).toBe(CloseCode.Forbidden);
    for (const c of [anonymous, forged, wrong, wrongSys]) expect(c.frames).toEqual([]);
  });

  it('[R15] a page from another origin cannot open the relay, even with a valid session', async () => {
    const { server: s, editor } = await server();
    const evil = raw(s, 'default', editor, { origin: 'https://evil.example' });
    const closed = await evil.closed;
    expect(closed.code).toBe(CloseCode.Forbidden);
    expect(evil.frames).toEqual([]);
    const own = raw(s, 'default', editor, { origin: s.url });
    await own.open;
    await until(() => own.frames.length > 0, 5000, 'sync step 1 for the own origin');
  });

  it('[R16] a viewer syncs and sees presence, its updates are dropped, and it stays connected', async () => {
    const { server: s, editor } = await server();
    const viewer = await signIn(s, { role: 'viewer', name: 'Vic' });
    const ed = client(s, editor);
    const v = client(s, viewer);
    await Promise.all([ed.synced(), v.synced()]);
    const id = createIncident(ed.doc, { title: 'seen by the viewer', severity: 'minor' }, editor.member.id);
    await until(() => incidentsMap(v.doc).has(id), 5000, 'viewer to receive');
    // A forged write from the viewer's own client never reaches the editor or the store.
    createIncident(v.doc, { title: 'viewer write', severity: 'critical' }, viewer.member.id);
    v.providers[0]!.awareness.setLocalStateField('name', 'Vic');
    await until(() => ed.providers[0]!.awareness.getStates().size >= 2, 5000, 'presence of the viewer');
    const marker = createIncident(ed.doc, { title: 'after the forged write', severity: 'minor' }, editor.member.id);
    await until(() => incidentsMap(v.doc).has(marker), 5000, 'viewer still receiving');
    expect(
      listIncidents(ed.doc)
        .map((i) => i.title)
        .sort()
    ).toEqual(['after the forged write', 'seen by the viewer']);
    expect(v.providers[0]!.wsconnected).toBe(true);
    const fresh = client(s, editor);
    await fresh.synced();
    await until(() => incidentsMap(fresh.doc).size === 2, 5000, 'store without the viewer write');
    expect(listIncidents(fresh.doc).some((i) => i.title === 'viewer write')).toBe(false);
  });

  it('[R17] a removed member is disconnected with 4401 at once; a downgraded one becomes read-only at once', async () => {
    const { server: s, editor } = await server();
    const carol = await signIn(s, { name: 'Carol' });
    const dave = await signIn(s, { name: 'Dave' });
    const c = raw(s, 'default', carol);
    await c.open;
    const d = client(s, dave);
    const ed = client(s, editor);
    await Promise.all([d.synced(), ed.synced()]);
    await s.access.removeMember('default', carol.member.id);
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCode.Unauthorized);
    expect(closed.reason).toBe('Your access to Default was removed');
    expect((await raw(s, 'default', carol).closed).code).toBe(CloseCode.Unauthorized);

    await s.access.setRole('default', dave.member.id, 'viewer');
    createIncident(d.doc, { title: 'written after the downgrade', severity: 'minor' }, dave.member.id);
    const marker = createIncident(ed.doc, { title: 'marker', severity: 'minor' }, editor.member.id);
    await until(() => incidentsMap(d.doc).has(marker), 5000, 'dave still syncing');
    expect(listIncidents(ed.doc).map((i) => i.title)).toEqual(['marker']);
  });

  it('[R18] an update under another member’s client id is refused; that member’s offline edits still upload', async () => {
    const { server: s, editor } = await server();
    const mallory = await signIn(s, { name: 'Mallory' });
    const ada = client(s, editor);
    await ada.synced();
    createIncident(ada.doc, { title: 'Ada online', severity: 'minor' }, editor.member.id);
    await until(async () => (await s.relay.getRoom('default')).doc.getMap('incidents').size === 1, 5000, 'stored');
    // Ada goes offline and keeps editing; Mallory writes clocks under Ada's client id.
    ada.providers[0]!.disconnect();
    const offline = createIncident(ada.doc, { title: 'Ada offline', severity: 'major' }, editor.member.id);
    const forgedDoc = new Y.Doc();
    Y.applyUpdate(forgedDoc, Y.encodeStateAsUpdate((await s.relay.getRoom('default')).doc));
    // Set after loading: Yjs itself picks a new id when a remote update touches its own.
    forgedDoc.clientID = ada.doc.clientID;
    forgedDoc.getMap('incidents').set('evil', new Y.Map());
    const m = raw(s, 'default', mallory);
    await m.open;
    m.ws.send(
      updateMessage(Y.encodeStateAsUpdate(forgedDoc, Y.encodeStateVector((await s.relay.getRoom('default')).doc)))
    );
    const closed = await m.closed;
    expect(closed.code).toBe(CloseCode.Forbidden);
    ada.providers[0]!.connect();
    await until(async () => (await s.relay.getRoom('default')).doc.getMap('incidents').has(offline), 5000, 'upload');
    const room = await s.relay.getRoom('default');
    expect(room.doc.getMap('incidents').has('evil')).toBe(false);
  });

  it('[R19] awareness is cleaned when a connection goes, capped in size and ids, and names the real member', async () => {
    const { server: s, editor } = await server();
    const other = await signIn(s, { name: 'Other' });
    const watcher = client(s, editor);
    await watcher.synced();
    const aw = watcher.providers[0]!.awareness;
    const c = raw(s, 'default', other);
    await c.open;
    const doc = new Y.Doc();
    const fake = new awarenessProtocol.Awareness(doc);
    fake.setLocalState({ name: 'Mallory', member: editor.member.id });
    const send = (a: awarenessProtocol.Awareness) => {
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_AWARENESS);
      encoding.writeVarUint8Array(enc, awarenessProtocol.encodeAwarenessUpdate(a, [a.clientID]));
      c.ws.send(encoding.toUint8Array(enc));
    };
    send(fake);
    await until(() => aw.getStates().has(doc.clientID), 5000, 'the other connection’s presence');
    expect(aw.getStates().get(doc.clientID)).toMatchObject({ name: 'Mallory', member: other.member.id });
    // A state over the size cap is dropped; so are ids beyond the per-connection cap.
    const huge = new awarenessProtocol.Awareness(new Y.Doc());
    huge.setLocalState({ blob: 'x'.repeat(64 * 1024) });
    send(huge);
    const extras = Array.from({ length: 8 }, () => new awarenessProtocol.Awareness(new Y.Doc()));
    for (const e of extras) {
      e.setLocalState({ n: 1 });
      send(e);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(aw.getStates().has(huge.clientID)).toBe(false);
    expect(extras.filter((e) => aw.getStates().has(e.clientID)).length).toBeLessThanOrEqual(3);
    c.ws.close();
    await until(() => !aw.getStates().has(doc.clientID), 5000, 'presence removed on disconnect');
    const room = await s.relay.getRoom('default');
    expect([...room.awareness.getStates().keys()].every((id) => id !== doc.clientID)).toBe(true);
    expect(room.awarenessOwners.size).toBe(room.awareness.getStates().size);
  });

  it('[R20] repeated full-state requests are answered from one encoding and then slowed with a retryable close', async () => {
    const { server: s, editor } = await server();
    const a = client(s, editor);
    await a.synced();
    for (let i = 0; i < 50; i++) createIncident(a.doc, { title: `incident ${i}`, severity: 'minor' }, editor.member.id);
    await until(async () => (await s.relay.getRoom('default')).doc.getMap('incidents').size === 50, 5000, 'stored');
    const c = raw(s, 'default', editor);
    await c.open;
    for (let i = 0; i < SYNC_REQUEST_BURST + 5; i++) c.ws.send(syncStep1());
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCode.SlowDown);
    expect(closed.code).toBeGreaterThanOrEqual(4500); // y-websocket retries 45xx
    const replies = c.frames.filter((f) => f[0] === 0 && f[1] === syncProtocol.messageYjsSyncStep2);
    expect(replies.length).toBe(SYNC_REQUEST_BURST);
    // Every reply is the same bytes: one encoding served them all.
    expect(new Set(replies.map((r) => Buffer.from(r).toString('base64'))).size).toBe(1);
    const marker = createIncident(a.doc, { title: 'others keep syncing', severity: 'minor' }, editor.member.id);
    const b = client(s, editor);
    await b.synced();
    await until(() => incidentsMap(b.doc).has(marker), 5000, 'another client syncing');
  });
});
