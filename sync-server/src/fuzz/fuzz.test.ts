/**
 * Seeded fuzz of the relay and the ingest endpoint through the real server (a spawned process):
 * attackers send garbage while two honest editors keep syncing. The default run (`pnpm test`) is one
 * fixed seed at 10,000 frames; FIREBREAK_FUZZ_SEED replays a run (`random` draws one and prints it),
 * FIREBREAK_FUZZ_CASES sizes it (`pnpm test:fuzz` runs 200,000 frames under a random seed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import http from 'node:http';
import WebSocket from 'ws';
import {
  createIncident,
  incidentsMap,
  mulberry32,
  parseIncident,
  setDescription,
  setTitle,
  type Incident
} from '@firebreak/shared';
import {
  apiCall,
  connectWorkspace,
  join,
  readFixture,
  tempDir,
  until,
  TEST_TOKEN,
  type Session
} from '../test/harness.ts';
import { killed, spawnServer } from '../test/spawn.ts';
import { CloseCode } from '../relay/protocol.ts';
import { chance, int, makeBatch, MAY_CLOSE, pick, type FuzzFrame, type FuzzTarget } from './frames.ts';
import { makeScanCase, SCAN_KINDS } from './scans.ts';

const SEED_ENV = process.env.FIREBREAK_FUZZ_SEED ?? '20261202';
const SEED = SEED_ENV === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(SEED_ENV);
const CASES = Number(process.env.FIREBREAK_FUZZ_CASES ?? 10_000);
const SCAN_CASES = Math.max(300, Math.floor(CASES / 25));
/** Generous, and growing with the size: `pnpm test:fuzz` runs 20 times the default. */
const TIMEOUT_MS = Math.max(600_000, CASES * 30);
const MAX_MESSAGE = 64 * 1024;
const MAX_INGEST = 256 * 1024;
const FRAMES_PER_CONNECTION = 200;
const PARALLEL = 4;
const SCAN_PARALLEL = 4;
/** The attackers' picture of the room is refreshed every this many rounds (encoding it is not free). */
const TARGET_EVERY = 4;
/**
 * Each honest editor moves on to a fresh incident after this many edits: every edit adds a timeline
 * entry, and one incident with thousands of them would make every later edit (and its validation)
 * slower, which is a different test.
 */
const EDITS_PER_INCIDENT = 40;
/** Refused upgrades count against the address (30 a minute); the honest clients share it. */
const MAX_REFUSED = 15;
const tag = `seed ${SEED}, ${CASES} cases (replay: FIREBREAK_FUZZ_SEED=${SEED})`;

type Spawned = Awaited<ReturnType<typeof spawnServer>>;
let srv: Spawned;
let dataDir: string;
let admin: Session;
let sessions: { writer: Session; observer: Session; attacker: Session; viewer: Session };
let writer: ReturnType<typeof connectWorkspace>;
let observer: ReturnType<typeof connectWorkspace>;
let victim: Incident;
const honest = {
  writerInc: '',
  observerInc: '',
  writerEdits: 0,
  observerEdits: 0,
  created: [] as string[],
  /** Every honest incident the editors moved on from, with the title it must keep. */
  retired: new Map<string, string>()
};
const honestCloses: number[] = [];
let editing: Promise<void> | null = null;
let stopEditing = false;

async function invite(role: 'editor' | 'viewer', name: string): Promise<Session> {
  const res = await apiCall(srv, admin, 'POST', '/api/v1/w/default/invites', { role });
  expect(res.status).toBe(201);
  return join(srv.url, String(res.body.url).split('/join/')[1]!, { name, email: `${name}@example.com` });
}

async function healthy() {
  expect(srv.proc.exitCode, `server exited (${tag})`).toBeNull();
  const res = await fetch(`${srv.url}/api/v1/health`);
  expect(res.status, tag).toBe(200);
}

/** JSON with object keys sorted: replicas agree on content, not on the order their maps were filled in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x
  );
}
const docJson = (doc: Y.Doc) => canonical(incidentsMap(doc).toJSON());

const titleOf = (doc: Y.Doc, id: string) => (incidentsMap(doc).get(id)?.get('title') as string | undefined) ?? '';
const editNo = (title: string) => Number(/edit (\d+)$/.exec(title)?.[1] ?? -1);

/** Both honest editors see each other's latest edit (as of now). */
async function honestInSync() {
  const w = honest.writerEdits;
  const o = honest.observerEdits;
  await until(
    () => editNo(titleOf(observer.doc, honest.writerInc)) >= w && editNo(titleOf(writer.doc, honest.observerInc)) >= o,
    15_000,
    `honest edits to arrive (${tag})`
  );
}

function honestEditing() {
  return (async () => {
    for (let i = 1; !stopEditing; i++) {
      if (i % EDITS_PER_INCIDENT === 0) {
        honest.retired.set(honest.writerInc, titleOf(writer.doc, honest.writerInc));
        honest.retired.set(honest.observerInc, titleOf(observer.doc, honest.observerInc));
        honest.writerInc = createIncident(
          writer.doc,
          { title: 'writer edit 0', severity: 'minor' },
          sessions.writer.member.id
        );
        honest.observerInc = createIncident(
          observer.doc,
          { title: 'observer edit 0', severity: 'minor' },
          sessions.observer.member.id
        );
      }
      setTitle(writer.doc, honest.writerInc, `writer edit ${i}`, sessions.writer.member.id);
      honest.writerEdits = i;
      setTitle(observer.doc, honest.observerInc, `observer edit ${i}`, sessions.observer.member.id);
      honest.observerEdits = i;
      if (i % 7 === 0) setDescription(writer.doc, honest.writerInc, `notes ${i}`, sessions.writer.member.id);
      if (i % 25 === 0)
        honest.created.push(
          createIncident(writer.doc, { title: `writer new ${i}`, severity: 'minor' }, sessions.writer.member.id)
        );
      // Paced by time, not by the fuzz: every edit adds a timeline entry, so the document grows with it.
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}

/**
 * A scan POST over plain node:http: a server refusing an oversized body answers 413 and closes
 * while the body would still be sent, which fetch reports as a failure instead of the answer.
 */
function postRaw(body: string | Uint8Array): Promise<{ status: number; text: string }> {
  const data = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${srv.url}/api/v1/scans`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${TEST_TOKEN}`,
        'content-type': 'application/json',
        'content-length': data.length
      }
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text });
        req.destroy();
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    // Over the limit, the declared length alone must get the 413: the body is never sent.
    if (data.length > MAX_INGEST) req.flushHeaders();
    else req.end(data);
  });
}

type Who = 'editor' | 'viewer' | 'anonymous' | 'forged' | 'foreignOrigin';

/** One raw connection: sends every frame, then closes; resolves with the close code it got. */
function attack(who: Who, frames: FuzzFrame[]): Promise<{ code: number; error: string | null }> {
  const headers: Record<string, string> = {};
  if (who === 'editor') headers.cookie = sessions.attacker.cookie;
  if (who === 'viewer') headers.cookie = sessions.viewer.cookie;
  if (who === 'forged') headers.cookie = 'firebreak_session=forged.cookie';
  if (who === 'foreignOrigin') {
    headers.cookie = sessions.attacker.cookie;
    headers.origin = 'https://evil.example';
  }
  const ws = new WebSocket(`${srv.url.replace(/^http/, 'ws')}/sync/default`, { headers });
  let error: string | null = null;
  return new Promise((resolve) => {
    ws.on('error', (e) => (error = e.message));
    ws.on('open', () => {
      for (const f of frames) if (ws.readyState === ws.OPEN) ws.send(f.data, { binary: typeof f.data !== 'string' });
      if (ws.readyState === ws.OPEN) ws.close(1000);
    });
    ws.on('close', (code) => resolve({ code, error }));
  });
}

let cachedTarget: FuzzTarget | null = null;
function target(refresh: boolean): FuzzTarget {
  if (cachedTarget && !refresh) return cachedTarget;
  return (cachedTarget = {
    state: Y.encodeStateAsUpdate(observer.doc),
    foreignClients: [writer.doc.clientID, observer.doc.clientID],
    victim: victim.id,
    attacker: sessions.attacker.member.id,
    impersonated: sessions.writer.member.id,
    maxMessageBytes: MAX_MESSAGE
  });
}

function connectHonest(session: Session) {
  const c = connectWorkspace(srv, session);
  for (const p of c.providers) p.on('connection-close', (e) => honestCloses.push(e?.code ?? -1));
  return c;
}

beforeAll(async () => {
  dataDir = tempDir('firebreak-fuzz-');
  srv = await spawnServer(dataDir, {
    FIREBREAK_MAX_MESSAGE_BYTES: String(MAX_MESSAGE),
    FIREBREAK_MAX_INGEST_BYTES: String(MAX_INGEST)
  });
  admin = await join(srv.url, srv.bootstrapUrl!.split('/join/')[1]!, { name: 'Admin', email: 'admin@example.com' });
  sessions = {
    writer: await invite('editor', 'writer'),
    observer: await invite('editor', 'observer'),
    attacker: await invite('editor', 'mallory'),
    viewer: await invite('viewer', 'eve')
  };
  writer = connectHonest(sessions.writer);
  observer = connectHonest(sessions.observer);
  await Promise.all([writer.synced(), observer.synced()]);
  const victimId = createIncident(
    writer.doc,
    { title: 'Victim incident', severity: 'major', description: 'must survive' },
    sessions.writer.member.id
  );
  honest.writerInc = createIncident(
    writer.doc,
    { title: 'writer edit 0', severity: 'minor' },
    sessions.writer.member.id
  );
  honest.observerInc = createIncident(
    observer.doc,
    { title: 'observer edit 0', severity: 'minor' },
    sessions.observer.member.id
  );
  await until(() => incidentsMap(observer.doc).size === 3 && incidentsMap(writer.doc).size === 3);
  const parsed = parseIncident(victimId, incidentsMap(observer.doc).get(victimId));
  if (!parsed.ok) throw new Error('victim did not parse');
  victim = parsed.incident;
  editing = honestEditing();
}, 60_000);

afterAll(async () => {
  stopEditing = true;
  await editing;
  writer?.destroy();
  observer?.destroy();
  srv?.proc.kill('SIGKILL');
  if (srv) await killed(srv.proc);
});

describe(`fuzz through the real server (${tag})`, () => {
  it(
    `[FZ1] ${CASES} hostile frames: the server stays up, honest editors keep syncing, every close is expected`,
    async () => {
      const rng = mulberry32(SEED);
      const codes = new Map<number, number>();
      const unexpected: string[] = [];
      let sent = 0;
      let refused = 0;
      let connections = 0;
      let rounds = 0;
      while (sent < CASES) {
        const round: Array<Promise<void>> = [];
        const t = target(rounds++ % TARGET_EVERY === 0);
        for (let i = 0; i < PARALLEL && sent < CASES; i++) {
          let who: Who = chance(rng, 0.15) ? 'viewer' : 'editor';
          if (refused < MAX_REFUSED && chance(rng, 0.03)) {
            who = pick(rng, ['anonymous', 'forged', 'foreignOrigin'] as const);
            refused++;
          }
          const frames = makeBatch(rng, t, int(rng, 1, FRAMES_PER_CONNECTION));
          sent += frames.length;
          connections++;
          round.push(
            attack(who, frames).then(({ code, error }) => {
              codes.set(code, (codes.get(code) ?? 0) + 1);
              const allowed = new Set<number>([1000]);
              if (who === 'anonymous' || who === 'forged') allowed.add(CloseCode.Unauthorized);
              else if (who === 'foreignOrigin') allowed.add(CloseCode.Forbidden);
              else for (const f of frames) for (const c of MAY_CLOSE[f.kind]) allowed.add(c);
              if (!allowed.has(code))
                unexpected.push(
                  `${who} got ${code} (${error ?? 'no error'}) after ${frames.map((f) => f.kind).join(',')}`
                );
            })
          );
        }
        await Promise.all(round);
        if (rounds % 5 === 0) {
          await healthy();
          await honestInSync();
        }
      }
      await healthy();
      await honestInSync();
      console.log(
        `[FZ1] ${tag}: ${sent} frames over ${connections} connections; document ${Y.encodeStateAsUpdate(observer.doc).length} bytes; close codes`,
        Object.fromEntries(codes)
      );
      expect(unexpected.slice(0, 10), tag).toEqual([]);
      expect(codes.has(CloseCode.StorageFailure), tag).toBe(false);
      expect(honestCloses, `honest connections closed (${tag})`).toEqual([]);
      expect(sent).toBeGreaterThanOrEqual(CASES);
    },
    TIMEOUT_MS
  );

  it(
    `[FZ2] ${SCAN_CASES} malformed scan bodies: each is a 400 naming paths or a 413, never a 500, and nothing of them is stored`,
    async () => {
      const rng = mulberry32(SEED ^ 0x5ca7);
      const base = readFixture('soda-scan-orders.json');
      const listChecks = async () => {
        const res = await apiCall(srv, admin, 'GET', '/api/v1/w/default/checks?limit=20000');
        expect(res.status).toBe(200);
        return res.body.checks as Array<{ identity: string }>;
      };
      const ok = await fetch(`${srv.url}/api/v1/scans`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(base)
      });
      expect(ok.status).toBe(201);
      const before = await listChecks();
      const accepted = new Set<string>();
      const rejected = new Set<string>();
      const statuses = new Map<number, number>();
      const problems: string[] = [];
      // A few at a time, as scanners would post: the cases are drawn in order, so a seed still replays.
      const post = async (c: ReturnType<typeof makeScanCase>) => {
        const res = await postRaw(c.body).catch((err: Error) => ({ status: -1, text: err.message }));
        if (res.status === -1) {
          problems.push(`${c.kind} (${c.body.length} bytes): no answer: ${res.text}`);
          return;
        }
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const text = res.text;
        let json: any = null;
        try {
          json = JSON.parse(text);
        } catch {
          problems.push(`${c.kind}: ${res.status} without a JSON body: ${text.slice(0, 100)}`);
          return;
        }
        if (res.status === 201) {
          // A mutation can leave a valid file (null is accepted, unknown keys are kept): it is stored.
          c.identities.forEach((id) => accepted.add(id));
          return;
        }
        c.identities.forEach((id) => rejected.add(id));
        if (res.status === 400) {
          const issues = json?.error?.issues;
          if (!Array.isArray(issues) || !issues.length || !issues.every((x: any) => typeof x.path === 'string'))
            problems.push(`${c.kind}: 400 without paths: ${text.slice(0, 200)}`);
        } else if (res.status === 413) {
          if (typeof json?.error?.message !== 'string') problems.push(`${c.kind}: 413 without a message`);
        } else problems.push(`${c.kind}: status ${res.status}: ${text.slice(0, 200)}`);
      };
      for (let i = 0; i < SCAN_CASES; i += SCAN_PARALLEL) {
        const batch = [];
        for (let j = i; j < Math.min(SCAN_CASES, i + SCAN_PARALLEL); j++)
          batch.push(makeScanCase(rng, base, `${SEED}n${j}`, MAX_INGEST, pick(rng, SCAN_KINDS)));
        await Promise.all(batch.map(post));
        if (i % 100 === 0) await healthy();
      }
      await healthy();
      console.log(`[FZ2] ${tag}: ${SCAN_CASES} bodies; statuses`, Object.fromEntries(statuses));
      expect(problems.slice(0, 10), tag).toEqual([]);
      const after = await listChecks();
      const stored = after.map((c) => c.identity).filter((id) => id.startsWith('fz'));
      expect(
        stored.filter((id) => rejected.has(id) || !accepted.has(id)),
        `checks of rejected bodies were stored (${tag})`
      ).toEqual([]);
      // What was there before is unchanged but for accepted bodies.
      const kept = after.filter((c) => !c.identity.startsWith('fz'));
      expect(kept).toEqual(before);
      expect(statuses.get(500) ?? 0).toBe(0);
    },
    TIMEOUT_MS
  );

  it(`[FZ3] after the fuzz the document converged, holds only valid incidents and the honest data, and is what the store has`, async () => {
    stopEditing = true;
    await editing;
    setTitle(writer.doc, honest.writerInc, 'writer final', sessions.writer.member.id);
    setTitle(observer.doc, honest.observerInc, 'observer final', sessions.observer.member.id);
    const same = () =>
      docJson(writer.doc) === docJson(observer.doc) &&
      titleOf(observer.doc, honest.writerInc) === 'writer final' &&
      titleOf(writer.doc, honest.observerInc) === 'observer final';
    await until(same, 15_000, `honest replicas to converge (${tag})`).catch((err) => {
      const w = incidentsMap(writer.doc).toJSON();
      const o = incidentsMap(observer.doc).toJSON();
      const keys = [...new Set([...Object.keys(w), ...Object.keys(o)])];
      const diff = keys.filter((k) => canonical(w[k]) !== canonical(o[k]));
      throw new Error(
        `${(err as Error).message}: titles ${titleOf(observer.doc, honest.writerInc)} / ${titleOf(writer.doc, honest.observerInc)}, connected ${[...writer.providers, ...observer.providers].map((p) => p.wsconnected)}, closes ${honestCloses}; ${diff.length} incidents differ, e.g. ${JSON.stringify(diff.slice(0, 2).map((k) => [w[k], o[k]])).slice(0, 1500)}`
      );
    });

    const check = (doc: Y.Doc) => {
      const incidents = incidentsMap(doc);
      const bad: string[] = [];
      for (const [id, v] of incidents.entries()) {
        const p = parseIncident(id, v);
        if (!p.ok) bad.push(`${id}: ${p.problems.join('; ')}`);
        else if (
          !honest.created.includes(id) &&
          !honest.retired.has(id) &&
          ![victim.id, honest.writerInc, honest.observerInc].includes(id)
        ) {
          // Anything else is the attacker's: it names the attacker, never someone it forged.
          if (p.incident.reporterId !== sessions.attacker.member.id)
            bad.push(`${id}: reporter ${p.incident.reporterId}`);
        }
      }
      expect(bad.slice(0, 10), tag).toEqual([]);
      const v = parseIncident(victim.id, incidents.get(victim.id));
      expect(v.ok && v.incident, `the victim incident is as it was (${tag})`).toEqual(victim);
      for (const id of honest.created) expect(incidents.get(id)?.get('title')).toMatch(/^writer new \d+$/);
      for (const [id, title] of honest.retired) expect(titleOf(doc, id), `honest incident ${id}`).toBe(title);
      expect(titleOf(doc, honest.writerInc)).toBe('writer final');
      expect(titleOf(doc, honest.observerInc)).toBe('observer final');
    };
    check(observer.doc);

    // A fresh replica gets the same document…
    const fresh = connectWorkspace(srv, sessions.writer);
    await fresh.synced();
    await until(() => docJson(fresh.doc) === docJson(observer.doc), 15_000, `a fresh replica to match (${tag})`);
    const served = docJson(fresh.doc);
    fresh.destroy();
    check(fresh.doc);
    writer.destroy();
    observer.destroy();

    // …and so does the store: after a SIGKILL and a restart, exactly what was served.
    srv.proc.kill('SIGKILL');
    await killed(srv.proc);
    srv = await spawnServer(dataDir, {
      FIREBREAK_MAX_MESSAGE_BYTES: String(MAX_MESSAGE),
      FIREBREAK_MAX_INGEST_BYTES: String(MAX_INGEST)
    });
    const reloaded = connectWorkspace(srv, sessions.writer);
    await reloaded.synced();
    const stored = docJson(reloaded.doc);
    reloaded.destroy();
    expect(stored === served, `the store holds what was served (${tag})`).toBe(true);
    check(reloaded.doc);
  }, 120_000);
});
