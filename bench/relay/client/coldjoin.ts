import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import {
  createIncident,
  incidentsMap,
  linkResult,
  setLead,
  setSeverity,
  setStatus,
  type Severity,
  type Status
} from '@firebreak/shared';
import type { JoinResult, SeedResult, Target } from '../lib/messages.ts';
import { now, waitUntil, withTimeout } from './clock.ts';
import { openReplica } from './providers.ts';

/** Incidents per transaction while seeding: a team's history arrives in many updates, not one. */
const SEED_BATCH = 500;
const SEED_TIMEOUT_MS = 180_000;
const SEVERITIES: Severity[] = ['minor', 'major', 'critical'];
const STATUS_PATHS: Status[][] = [
  ['investigating'],
  ['investigating', 'fixing'],
  ['investigating', 'fixing', 'resolved'],
  ['investigating', 'resolved', 'investigating', 'fixing', 'resolved']
];

/** A few years of a team's incidents, through the shared domain operations, like the app writes. */
function writeIncidents(doc: Y.Doc, from: number, to: number) {
  const start = Date.UTC(2024, 0, 1);
  doc.transact(() => {
    for (let i = from; i < to; i++) {
      const at = (h: number) => ({ at: new Date(start + i * 3_600_000 + h * 60_000).toISOString() });
      const check = `pg:${(i % 997).toString(16).padStart(8, '0')}`;
      const id = createIncident(
        doc,
        {
          title: `Check failure ${i} on dataset_${i % 50}`,
          severity: SEVERITIES[i % 3]!,
          description: `Row count dropped below the threshold on dataset_${i % 50}.`,
          results: [{ resultId: `r${i}-0`, checkId: check }]
        },
        `user-${i % 7}`,
        at(0)
      );
      for (let k = 1; k <= 1 + (i % 3); k++)
        linkResult(doc, id, { resultId: `r${i}-${k}`, checkId: check }, 'bot', at(k));
      setLead(doc, id, `user-${(i + 3) % 7}`, `user-${i % 7}`, at(5));
      if (i % 5 === 0) setSeverity(doc, id, 'critical', `user-${i % 7}`, at(6));
      STATUS_PATHS[i % STATUS_PATHS.length]!.forEach((s, k) =>
        setStatus(doc, id, s, `user-${i % 7}`, { ...at(10 + k * 30), resolutionNotes: 'Backfilled the partition.' })
      );
    }
  });
}

/** Writes the document through one client and waits until a second client has all of it. */
export async function seed(target: Target, room: string, incidents: number): Promise<SeedResult> {
  const t0 = now();
  const writer = openReplica(target, room);
  await withTimeout(writer.synced(), SEED_TIMEOUT_MS, 'seed writer sync');
  for (let from = 0; from < incidents; from += SEED_BATCH) {
    writeIncidents(writer.doc, from, Math.min(incidents, from + SEED_BATCH));
  }
  const observer = openReplica(target, room);
  await withTimeout(observer.synced(), SEED_TIMEOUT_MS, 'seed observer sync');
  const complete = await waitUntil(() => incidentsMap(observer.doc).size >= incidents, SEED_TIMEOUT_MS, 50);
  if (!complete) throw new Error(`the observer saw ${incidentsMap(observer.doc).size} of ${incidents} incidents`);
  const updateBytes = Y.encodeStateAsUpdate(writer.doc).byteLength;
  writer.destroy();
  observer.destroy();
  return { incidents, updateBytes, ms: now() - t0 };
}

/**
 * Whether a frame is a sync step 2 (the answer to the client's state vector): y-websocket
 * frames start [sync = 0, step 2 = 1]; Hocuspocus ones with the document name first.
 */
function isSyncStep2(kind: Target['kind'], frame: Uint8Array): boolean {
  try {
    const dec = decoding.createDecoder(frame);
    if (kind === 'hocuspocus') decoding.readVarString(dec);
    return decoding.readVarUint(dec) === 0 && decoding.readVarUint(dec) === 1;
  } catch {
    return false;
  }
}

/** A new client against a server that just started: connect → first `synced`, and what it held. */
export async function join(target: Target, room: string, incidents: number, waitMs: number): Promise<JoinResult> {
  const doc = new Y.Doc();
  let reply: { ms: number; bytes: number } | null = null;
  const t0 = now();
  // The server's answer is timed when its frame arrives, before the provider applies it.
  const replica = openReplica(target, room, doc, (frame) => {
    if (!reply && isSyncStep2(target.kind, frame)) reply = { ms: now() - t0, bytes: frame.byteLength };
  });
  await withTimeout(replica.synced(), waitMs, 'cold join sync');
  const syncedMs = now() - t0;
  const incidentsAtSynced = incidentsMap(doc).size;
  const full = await waitUntil(() => incidentsMap(doc).size >= incidents, waitMs, 2);
  const fullMs = full ? now() - t0 : null;
  replica.destroy();
  const whole = Y.encodeStateAsUpdate(doc);
  const t1 = now();
  Y.applyUpdate(new Y.Doc(), whole);
  const first = reply as { ms: number; bytes: number } | null;
  return {
    syncedMs,
    replyMs: first?.ms ?? null,
    replyBytes: first?.bytes ?? 0,
    incidentsAtSynced,
    fullMs,
    clientApplyMs: now() - t1
  };
}
