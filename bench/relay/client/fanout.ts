import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as Y from 'yjs';
import type { AbandonResult, RecheckResult, StepResult, Target, VerifyResult } from '../lib/messages.ts';
import { percentiles } from '../lib/stats.ts';
import { now, sleep, waitUntil, withTimeout } from './clock.ts';
import { openReplica, type Replica } from './providers.ts';

/** Every update is one new key in this map: `<writer>.<seq>` → the writer's send time (ms). */
const MAP = 'u';
/** How often the writer loop wakes; each wake sends what is due, so a late timer catches up. */
const TICK_MS = 2;
const SYNC_TIMEOUT_MS = 60_000;

interface Room {
  name: string;
  replicas: Replica[];
  /** Updates written per replica index (seq runs 0..n-1). */
  written: number[];
  /** Keys some other replica received from the server: the server had accepted them. */
  confirmed: Set<string>;
}

let rooms: Room[] = [];
/** Flat list for round-robin writing: every client writes the same share of the rate. */
let writers: Array<{ room: Room; index: number }> = [];
let latencies: number[] = [];
let delivered = 0;
/** Deliveries, during this step, of updates an earlier step sent (they missed its drain). */
let stragglers = 0;
let recording = false;
/** Updates sent from this time on belong to the step being measured. */
let stepStart = Infinity;
let writing: Promise<void> | null = null;
let stopWriting = false;
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();

export async function open(target: Target, roomCount: number, perRoom: number): Promise<void> {
  rooms = [];
  writers = [];
  for (let r = 0; r < roomCount; r++) {
    const room: Room = { name: `fanout-${r}`, replicas: [], written: [], confirmed: new Set() };
    for (let i = 0; i < perRoom; i++) {
      const replica = openReplica(target, room.name);
      observe(room, replica);
      room.replicas.push(replica);
      room.written.push(0);
      writers.push({ room, index: i });
    }
    rooms.push(room);
  }
  await withTimeout(Promise.all(writers.map((w) => w.room.replicas[w.index]!.synced())), SYNC_TIMEOUT_MS, 'sync');
}

function observe(room: Room, replica: Replica) {
  replica.doc.getMap<number>(MAP).observe((ev) => {
    if (ev.transaction.local) return;
    const t = now();
    const map = ev.target as Y.Map<number>;
    for (const key of ev.keysChanged) {
      room.confirmed.add(key);
      if (!recording) continue;
      const sentAt = map.get(key)!;
      if (sentAt < stepStart) {
        stragglers++;
        continue;
      }
      delivered++;
      latencies.push(t - sentAt);
    }
  });
}

function writeOne(w: { room: Room; index: number }) {
  const seq = w.room.written[w.index]!++;
  w.room.replicas[w.index]!.doc.getMap<number>(MAP).set(`${w.index}.${seq}`, now());
}

/** Sends `rate` updates/s spread over all clients until `until()`; returns how many it sent. */
async function writeLoop(rate: number, until: () => boolean): Promise<number> {
  const start = now();
  let sent = 0;
  while (!until()) {
    const due = Math.floor(((now() - start) * rate) / 1000);
    for (; sent < due; sent++) writeOne(writers[sent % writers.length]!);
    await sleep(TICK_MS);
  }
  return sent;
}

export async function step(rate: number, durationMs: number, drainMs: number): Promise<StepResult> {
  const perRoom = rooms[0]!.replicas.length;
  latencies = [];
  delivered = 0;
  stragglers = 0;
  recording = true;
  loopDelay.reset();
  const cpu0 = process.cpuUsage();
  const t0 = now();
  stepStart = t0;
  const offered = await writeLoop(rate, () => now() - t0 >= durationMs);
  const writeMs = now() - t0;
  const expected = offered * (perRoom - 1);
  await waitUntil(() => delivered >= expected, drainMs);
  const wallMs = now() - t0;
  const cpu = process.cpuUsage(cpu0);
  recording = false;
  return {
    rate,
    offered,
    offeredRate: (offered * 1000) / writeMs,
    expected,
    delivered,
    stragglers,
    latencyMs: percentiles(latencies),
    clientCpu: (cpu.user + cpu.system) / 1000 / wallMs,
    clientLoopLagMs: loopDelay.percentile(99) / 1e6,
    wallMs
  };
}

/** Waits (up to `waitMs`) for every replica to hold every key of its room, then counts. */
export async function verify(waitMs: number): Promise<VerifyResult> {
  const complete = () => rooms.every((r) => r.replicas.every((p) => p.doc.getMap(MAP).size === total(r)));
  await waitUntil(complete, waitMs, 20);
  let missing = 0;
  let roomsDiverged = 0;
  for (const room of rooms) {
    for (const replica of room.replicas) missing += missingKeys(room, replica.doc.getMap(MAP));
    const vectors = room.replicas.map((p) => Buffer.from(Y.encodeStateVector(p.doc)));
    if (vectors.some((v) => !v.equals(vectors[0]!))) roomsDiverged++;
  }
  return { missing, roomsDiverged, written: rooms.reduce((n, r) => n + total(r), 0) };
}

function total(room: Room): number {
  return room.written.reduce((a, b) => a + b, 0);
}

function missingKeys(room: Room, map: Y.Map<unknown>, only?: (key: string) => boolean): number {
  let missing = 0;
  room.written.forEach((n, writer) => {
    for (let seq = 0; seq < n; seq++) {
      const key = `${writer}.${seq}`;
      if ((!only || only(key)) && !map.has(key)) missing++;
    }
  });
  return missing;
}

/** Starts writing in the background until `abandon` (the server gets killed meanwhile). */
export function startWriting(rate: number): void {
  stopWriting = false;
  writing = writeLoop(rate, () => stopWriting).then(() => {});
}

/** The server is dead: stop, note what was confirmed, and drop every client so none resends. */
export async function abandon(): Promise<AbandonResult> {
  stopWriting = true;
  await writing;
  for (const room of rooms) for (const replica of room.replicas) replica.destroy();
  let confirmed = 0;
  for (const room of rooms) confirmed += room.confirmed.size;
  return { confirmed, written: rooms.reduce((n, r) => n + total(r), 0) };
}

/** Fresh clients, one per room, against the restarted server: is every confirmed update there? */
export async function recheck(target: Target, waitMs: number): Promise<RecheckResult> {
  const fresh = rooms.map((room) => ({ room, replica: openReplica(target, room.name) }));
  await withTimeout(Promise.all(fresh.map((f) => f.replica.synced())), SYNC_TIMEOUT_MS, 'sync after restart');
  // A server that answers sync before loading from storage fills in later: give it time.
  const lostNow = () =>
    fresh.reduce((n, f) => n + missingKeys(f.room, f.replica.doc.getMap(MAP), (k) => f.room.confirmed.has(k)), 0);
  await waitUntil(() => lostNow() === 0, waitMs, 50);
  let lost = 0;
  let unconfirmed = 0;
  let unconfirmedKept = 0;
  for (const { room, replica } of fresh) {
    const map = replica.doc.getMap(MAP);
    lost += missingKeys(room, map, (k) => room.confirmed.has(k));
    const unconfirmedHere = total(room) - room.confirmed.size;
    unconfirmed += unconfirmedHere;
    unconfirmedKept += unconfirmedHere - missingKeys(room, map, (k) => !room.confirmed.has(k));
    replica.destroy();
  }
  const confirmed = rooms.reduce((n, r) => n + r.confirmed.size, 0);
  return { confirmed, lost, unconfirmed, unconfirmedKept };
}
