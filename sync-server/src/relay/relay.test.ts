import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import {
  createIncident,
  formatNumber,
  incidentsMap,
  listIncidents,
  numbersMap,
  setStatus,
  systemRoomName
} from '@firebreak/shared';
import { connectClient, connectWorkspace, startTestServer, until, wsBase } from '../test/harness.ts';
import type { RunningServer } from '../server.ts';
import { CloseCode, updateMessage } from './protocol.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function server(overrides?: Parameters<typeof startTestServer>[1], dataDir?: string) {
  const s = await startTestServer(dataDir ? { dataDir } : {}, overrides);
  cleanups.push(() => s.server.close());
  return s;
}

function client(s: RunningServer) {
  const c = connectWorkspace(s);
  cleanups.push(() => c.destroy());
  return c;
}

/** A raw websocket to a room, recording frames and the close code. */
function raw(s: RunningServer, room: string) {
  const ws = new WebSocket(`${wsBase(s)}/${room}`);
  ws.binaryType = 'nodebuffer';
  const frames: Uint8Array[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (d: Buffer) => frames.push(new Uint8Array(d)));
  const open = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  cleanups.push(() => ws.terminate());
  return { ws, frames, closed, open };
}

describe('relay', () => {
  it('[R1] two clients converge on each other’s edits', async () => {
    const { server: s } = await server();
    const a = client(s);
    const b = client(s);
    await Promise.all([a.synced(), b.synced()]);
    const id = createIncident(a.doc, { title: 'Null emails', severity: 'major' }, 'ada');
    await until(() => incidentsMap(b.doc).has(id), 5000, 'B to see the incident');
    setStatus(b.doc, id, 'investigating', 'grace');
    await until(() => listIncidents(a.doc)[0]?.status === 'investigating', 5000, 'A to see the status');
    expect(listIncidents(a.doc)).toEqual(listIncidents(b.doc));
  });

  it('[R2] the server numbers new incidents in the system document', async () => {
    const { server: s } = await server();
    const a = client(s);
    await a.synced();
    const first = createIncident(a.doc, { title: 'one', severity: 'minor' }, 'ada', { at: '2026-01-01T00:00:00.000Z' });
    const second = createIncident(a.doc, { title: 'two', severity: 'minor' }, 'ada', {
      at: '2026-01-01T00:00:01.000Z'
    });
    await until(() => numbersMap(a.sys).size === 2, 5000, 'numbers');
    expect(formatNumber(numbersMap(a.sys).get(first))).toBe('INC-1');
    expect(formatNumber(numbersMap(a.sys).get(second))).toBe('INC-2');
  });

  it('[R3] clients cannot write the system document', async () => {
    const { server: s } = await server();
    const a = client(s);
    await a.synced();
    a.sys.getMap('numbers').set('forged', 999);
    createIncident(a.doc, { title: 'real', severity: 'minor' }, 'ada');
    await until(() => numbersMap(a.sys).size >= 2, 5000, 'a real number');
    const fresh = client(s);
    await fresh.synced();
    await until(() => numbersMap(fresh.sys).size === 1, 5000, 'fresh client to see only the server’s number');
    expect(numbersMap(fresh.sys).has('forged')).toBe(false);
  });

  it('[R4] a malformed frame closes that connection with 4400, and the server keeps serving', async () => {
    const { server: s } = await server();
    const good = client(s);
    await good.synced();
    const bad = raw(s, 'default');
    await bad.open;
    bad.ws.send(new Uint8Array([0, 2, 200, 1, 2, 3]));
    expect(await bad.closed).toBe(CloseCode.BadMessage);
    const other = raw(s, 'default');
    await other.open;
    other.ws.send(new Uint8Array([77]));
    expect(await other.closed).toBe(CloseCode.BadMessage);
    const id = createIncident(good.doc, { title: 'still works', severity: 'minor' }, 'ada');
    const late = client(s);
    await late.synced();
    await until(() => incidentsMap(late.doc).has(id), 5000, 'sync after bad frames');
  });

  it('[R5] a text frame closes the connection with 4400', async () => {
    const { server: s } = await server();
    const c = raw(s, 'default');
    await c.open;
    c.ws.send('hello');
    expect(await c.closed).toBe(CloseCode.BadMessage);
  });

  it('[R6] a frame over the cap closes the connection with 4413', async () => {
    const { server: s } = await server({ relay: { maxMessageBytes: 1024 } });
    const c = raw(s, 'default');
    await c.open;
    c.ws.send(new Uint8Array(4096));
    expect(await c.closed).toBe(CloseCode.TooLarge);
  });

  it('[R7] an unknown room closes with 4404', async () => {
    const { server: s } = await server();
    const c = raw(s, 'someone-elses-workspace');
    expect(await c.closed).toBe(CloseCode.NotFound);
  });

  it('[R8] an update is echoed to every connection, the sender included', async () => {
    const { server: s } = await server();
    const c = raw(s, 'default');
    await c.open;
    await until(() => c.frames.length > 0, 5000, 'sync step 1');
    const doc = new Y.Doc();
    doc.getMap('x').set('k', 'v');
    const update = Y.encodeStateAsUpdate(doc);
    c.ws.send(updateMessage(update));
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
    const { server: s1, dataDir } = await server();
    const a = client(s1);
    await a.synced();
    const id = createIncident(a.doc, { title: 'survives restart', severity: 'critical' }, 'ada');
    await until(() => numbersMap(a.sys).has(id), 5000, 'number');
    a.destroy();
    await s1.close();
    const { server: s2 } = await server(undefined, dataDir);
    const c = raw(s2, 'default');
    await c.open;
    // Ask with an empty state vector; the reply (sync step 2) must carry the incident.
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, 0);
    syncProtocol.writeSyncStep1(enc, new Y.Doc());
    c.ws.send(encoding.toUint8Array(enc));
    const doc = new Y.Doc();
    await until(
      () => {
        for (const f of c.frames) {
          const d = decoding.createDecoder(f);
          if (decoding.readVarUint(d) !== 0) continue;
          syncProtocol.readSyncMessage(d, encoding.createEncoder(), doc, null);
        }
        return incidentsMap(doc).has(id);
      },
      5000,
      'persisted incident in the first reply'
    );
  });

  it('[R10] idle rooms are compacted and unloaded, and reload intact', async () => {
    const { server: s } = await server({ relay: { roomIdleMs: 0, compactAfterUpdates: 10 } });
    const a = client(s);
    await a.synced();
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push(createIncident(a.doc, { title: `i${i}`, severity: 'minor' }, 'ada'));
    await until(() => numbersMap(a.sys).size === 30, 5000, 'numbers');
    a.destroy();
    await until(
      async () => {
        await s.relay.sweep();
        return s.relay.loadedRooms().length === 0;
      },
      5000,
      'rooms to unload'
    );
    const b = client(s);
    await b.synced();
    await until(() => incidentsMap(b.doc).size === 30 && numbersMap(b.sys).size === 30, 5000, 'reloaded state');
  });

  it('[R11] the system room of a workspace is served read-only to a plain y-websocket client', async () => {
    const { server: s } = await server();
    const sys = connectClient(wsBase(s), systemRoomName('default'));
    cleanups.push(() => sys.provider.destroy());
    await until(() => sys.provider.synced, 5000, 'system sync');
    expect(sys.provider.wsconnected).toBe(true);
  });
});
