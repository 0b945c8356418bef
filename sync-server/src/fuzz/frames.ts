/**
 * Seeded generators of hostile y-websocket frames for the relay fuzz (`fuzz.test.ts`): random bytes,
 * valid frames cut short, headers whose lengths lie, frames over the size cap, and well-framed
 * garbage (mutated Yjs updates, updates under another member's client id, non-incident values and
 * deletions in `incidents`, invalid incident fields, awareness states that are huge, not JSON, or
 * speak for someone else). Everything is drawn from one `Rng`, so a seed replays a run exactly.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { createIncident, incidentsMap, type IncidentMap } from '@firebreak/shared';
import {
  CloseCode,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
  updateMessage
} from '../relay/protocol.ts';
import { MAX_AWARENESS_STATE_BYTES } from '../relay/limits.ts';

export type Rng = () => number;

export const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
export const chance = (rng: Rng, p: number) => rng() < p;

export function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng() * 256);
  return out;
}

/** A random 32-bit-ish Yjs client id (never 0). */
export const clientId = (rng: Rng) => 1 + Math.floor(rng() * 0xfffffffe);

/** What the generators know about the room under attack. */
export interface FuzzTarget {
  /** The room's state as an update (what an honest replica holds now). */
  state: Uint8Array;
  /** Yjs client ids other members own: writing new structs under them must be refused (R18). */
  foreignClients: readonly number[];
  /** An honest incident the attacker may delete or corrupt: validation must put it back (V1–V5). */
  victim: string;
  /** The attacker's member id (what a forged `by` should be rewritten to). */
  attacker: string;
  /** Someone else's member id, to forge. */
  impersonated: string;
  maxMessageBytes: number;
}

export type FrameKind =
  | 'random'
  | 'truncated'
  | 'lyingLength'
  | 'unknownType'
  | 'text'
  | 'oversized'
  | 'badStateVector'
  | 'syncRequest'
  | 'queryAwareness'
  | 'mutatedUpdate'
  | 'trailingBytes'
  | 'foreignClient'
  | 'nonMapIncident'
  | 'deleteIncident'
  | 'badFields'
  | 'attackerIncident'
  | 'garbageAwareness';

export interface FuzzFrame {
  kind: FrameKind;
  data: Uint8Array | string;
}

/** Close codes each kind may cause; anything else (1011 above all) is a server bug. */
export const MAY_CLOSE: Record<FrameKind, readonly number[]> = {
  random: [CloseCode.BadMessage, CloseCode.Forbidden, CloseCode.SlowDown],
  truncated: [CloseCode.BadMessage],
  lyingLength: [CloseCode.BadMessage, CloseCode.Forbidden],
  unknownType: [CloseCode.BadMessage],
  text: [CloseCode.BadMessage],
  oversized: [CloseCode.TooLarge],
  badStateVector: [CloseCode.BadMessage, CloseCode.SlowDown],
  syncRequest: [CloseCode.SlowDown],
  queryAwareness: [],
  mutatedUpdate: [CloseCode.BadMessage, CloseCode.Forbidden],
  trailingBytes: [CloseCode.BadMessage],
  foreignClient: [CloseCode.Forbidden],
  nonMapIncident: [],
  deleteIncident: [],
  badFields: [],
  attackerIncident: [],
  garbageAwareness: [CloseCode.BadMessage]
};

function frame(type: number, ...parts: Array<(e: encoding.Encoder) => void>): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, type);
  for (const p of parts) p(enc);
  return encoding.toUint8Array(enc);
}

const syncFrame = (syncType: number, payload: Uint8Array) =>
  frame(
    MESSAGE_SYNC,
    (e) => encoding.writeVarUint(e, syncType),
    (e) => encoding.writeVarUint8Array(e, payload)
  );

const awarenessFrame = (payload: Uint8Array) =>
  frame(MESSAGE_AWARENESS, (e) => encoding.writeVarUint8Array(e, payload));

/** One replica of the room under a fresh client id of the attacker's, for writing real-looking updates. */
export class Attacker {
  readonly doc = new Y.Doc();
  private own: string[] = [];

  constructor(
    private readonly rng: Rng,
    private readonly target: FuzzTarget
  ) {
    this.doc.clientID = clientId(rng);
    Y.applyUpdate(this.doc, target.state);
    // The attacker's incidents of earlier connections, so the document does not grow without bound.
    for (const [id, m] of incidentsMap(this.doc))
      if (m instanceof Y.Map && m.get('reporterId') === target.attacker) this.own.push(id);
  }

  /** The update `fn` makes to this replica. */
  private edit(fn: (doc: Y.Doc) => void): Uint8Array {
    // The transaction's own update (a diff against a state vector would carry the whole delete set).
    let update: Uint8Array = new Uint8Array([0, 0]);
    const take = (u: Uint8Array) => (update = u);
    this.doc.on('update', take);
    try {
      this.doc.transact(() => fn(this.doc));
    } finally {
      this.doc.off('update', take);
    }
    return update;
  }

  private mine(): string {
    if (!this.own.length || chance(this.rng, 0.02)) {
      let id = '';
      this.edit((doc) => {
        id = createIncident(
          doc,
          { title: `fuzz ${int(this.rng, 0, 1e9)}`, severity: pick(this.rng, ['minor', 'major', 'critical'] as const) },
          this.target.attacker
        );
      });
      this.own.push(id);
    }
    return pick(this.rng, this.own);
  }

  /** A valid update of the attacker's own incident, the raw material for mutations. */
  validUpdate(): Uint8Array {
    const id = this.mine();
    return this.edit((doc) => {
      const m = incidentsMap(doc).get(id);
      if (m instanceof Y.Map) m.set('title', `fuzz edit ${int(this.rng, 0, 1e9)}`);
    });
  }

  /** Values no incident field may hold. */
  private junk(): unknown {
    const r = this.rng;
    return pick(r, [
      () => null,
      () => int(r, -1e9, 1e9),
      () => r() * 1e300,
      () => true,
      () => '',
      () => ' padded ',
      () => 'x'.repeat(int(r, 301, 2000)),
      () => [1, 'two', null],
      () => ({ nested: { deeper: [int(r, 0, 9)] } }),
      () => new Uint8Array([1, 2, 3]),
      () => new Y.Map(),
      () => new Y.Array(),
      () => new Y.Text('text where a plain value belongs')
    ])();
  }

  nonMapIncident(): Uint8Array {
    // A small pool of keys: an empty map there is repaired into an incident that stays, so fresh
    // keys every time would grow the document with every frame.
    const key = chance(this.rng, 0.3) ? this.target.victim : `fz-${int(this.rng, 0, 63)}`;
    return this.edit((doc) => incidentsMap(doc).set(key, this.junk() as IncidentMap));
  }

  deleteIncident(): Uint8Array {
    const key = chance(this.rng, 0.5) ? this.target.victim : this.mine();
    return this.edit((doc) => incidentsMap(doc).delete(key));
  }

  badFields(): Uint8Array {
    const r = this.rng;
    const id = chance(r, 0.5) ? this.target.victim : this.mine();
    return this.edit((doc) => {
      const m = incidentsMap(doc).get(id);
      if (!(m instanceof Y.Map)) return;
      const t = this.target;
      pick(r, [
        () => m.set('status', pick(r, ['bogus', 'RESOLVED', '', 7, null])),
        () => m.set('severity', pick(r, ['sev0', 'Minor', 3, false, null])),
        () => m.set('title', pick(r, ['', '   ', ' lead space', 'x'.repeat(301), 42, null])),
        () => m.set('leadId', pick(r, ['not-a-member', 5, { id: t.impersonated }])),
        () => m.set('reporterId', pick(r, [t.impersonated, 'someone', 0])),
        () => m.set('createdAt', pick(r, ['yesterday', '2001-01-01T00:00:00.000Z', 12])),
        () => m.set('resolvedAt', pick(r, [12, {}, true])),
        () => m.set('id', pick(r, ['other', id + 'x', 1])),
        () => m.set(pick(r, ['description', 'resolutionNotes']), this.junk()),
        () => m.set(pick(r, ['results', 'timeline']), this.junk()),
        () => {
          const tl = m.get('timeline');
          if (tl instanceof Y.Array)
            tl.push([pick(r, [null, 5, { id: 'x' }, { id: 'dup', kind: 'created', at: 'never', by: t.impersonated }])]);
        },
        () => {
          const tl = m.get('timeline');
          if (tl instanceof Y.Array && tl.length) tl.delete(0, int(r, 1, tl.length));
        },
        () => {
          const res = m.get('results');
          if (res instanceof Y.Map) res.set(`r-${int(r, 0, 1e6)}`, pick(r, [null, 'x', { checkId: 5 }]));
        }
      ])();
    });
  }

  /** A well-formed incident of the attacker's, naming someone else as its reporter (V3 rewrites it). */
  attackerIncident(): Uint8Array {
    const before = this.own.length;
    const id = this.mine();
    return this.edit((doc) => {
      const m = incidentsMap(doc).get(id);
      if (before === this.own.length && m instanceof Y.Map) m.set('severity', pick(this.rng, ['minor', 'major']));
    });
  }

  /** New structs under a client id another member owns (sent last: this replica is no longer the server's after it). */
  foreignClient(): Uint8Array {
    const own = this.doc.clientID;
    this.doc.clientID = pick(this.rng, this.target.foreignClients);
    try {
      return this.edit((doc) =>
        incidentsMap(doc).set(`fz-forged-${int(this.rng, 0, 1e9)}`, new Y.Map() as IncidentMap)
      );
    } finally {
      this.doc.clientID = own;
    }
  }
}

/** Flips, inserts, deletes or overwrites a few bytes. */
export function mutate(rng: Rng, bytes: Uint8Array): Uint8Array {
  const out = Array.from(bytes);
  const n = int(rng, 1, 4);
  for (let i = 0; i < n; i++) {
    const at = int(rng, 0, Math.max(0, out.length - 1));
    switch (int(rng, 0, 4)) {
      case 0:
        out[at] = (out[at] ?? 0) ^ (1 << int(rng, 0, 7));
        break;
      case 1:
        out.splice(at, 0, int(rng, 0, 255));
        break;
      case 2:
        out.splice(at, int(rng, 1, 8));
        break;
      case 3:
        out[at] = pick(rng, [0, 0x7f, 0x80, 0xff]);
        break;
      default:
        out.splice(at, 0, ...randomBytes(rng, int(rng, 1, 16)));
    }
  }
  return new Uint8Array(out);
}

function garbageAwareness(rng: Rng, target: FuzzTarget, own: number): Uint8Array {
  // One state over the per-state cap at most: eight of them would make the frame itself too large
  // (4413), which is the `oversized` kind's business, not this one's.
  let blob = false;
  const huge = () => {
    if (blob) return 'null';
    blob = true;
    return JSON.stringify({ blob: 'x'.repeat(MAX_AWARENESS_STATE_BYTES + int(rng, 1, 4096)) });
  };
  const state = () =>
    pick(rng, [
      () => 'null',
      () => '{',
      () => 'not json at all',
      () => '[1,2,3]',
      () => '"a string"',
      () => '42',
      () => JSON.stringify({ user: { name: 'Mallory' }, member: target.impersonated }),
      huge,
      () => JSON.stringify({ cursor: { anchor: randomBytes(rng, 8).join(',') } }),
      () => '{"a":'.repeat(200) + '1' + '}'.repeat(200),
      () => String.fromCharCode(...randomBytes(rng, int(rng, 1, 64)))
    ])();
  const id = () => pick(rng, [own, clientId(rng), ...target.foreignClients, 0]);
  const clock = () => pick(rng, [0, 1, int(rng, 2, 1e6), 0xffffffff, 2 ** 52]);
  const entries = int(rng, 1, 8);
  const enc = encoding.createEncoder();
  // Sometimes the count lies: more entries announced than follow.
  encoding.writeVarUint(enc, chance(rng, 0.1) ? entries + int(rng, 1, 1000) : entries);
  for (let i = 0; i < entries; i++) {
    encoding.writeVarUint(enc, id());
    encoding.writeVarUint(enc, clock());
    encoding.writeVarString(enc, state());
  }
  return awarenessFrame(encoding.toUint8Array(enc));
}

/** A real frame of any kind, to be cut short or have its length lie. */
function validFrame(rng: Rng, attacker: Attacker, target: FuzzTarget, own: number): Uint8Array {
  return pick(rng, [
    () => syncFrame(syncProtocol.messageYjsSyncStep1, Y.encodeStateVector(attacker.doc)),
    () => syncFrame(syncProtocol.messageYjsSyncStep2, attacker.validUpdate()),
    () => updateMessage(attacker.validUpdate()),
    () => garbageAwareness(rng, target, own)
  ])();
}

/** Frames that are expected to end the connection (most of them with 4400). */
export const FATAL_KINDS: readonly FrameKind[] = [
  'random',
  'truncated',
  'lyingLength',
  'unknownType',
  'text',
  'oversized',
  'badStateVector',
  'trailingBytes',
  'foreignClient'
];
/** Frames a connection survives, or may survive (garbage is accepted and compensated, or dropped). */
export const SURVIVABLE_KINDS: readonly FrameKind[] = [
  'queryAwareness',
  'mutatedUpdate',
  'nonMapIncident',
  'deleteIncident',
  'badFields',
  'attackerIncident',
  'garbageAwareness',
  'syncRequest'
];

/** One frame of `kind`, drawn from `rng`. */
export function makeFrame(rng: Rng, kind: FrameKind, attacker: Attacker, target: FuzzTarget): FuzzFrame {
  const own = attacker.doc.clientID;
  const data = ((): Uint8Array | string => {
    switch (kind) {
      case 'random':
        return randomBytes(rng, int(rng, 0, chance(rng, 0.9) ? 64 : 4096));
      case 'truncated': {
        const f = validFrame(rng, attacker, target, own);
        return f.subarray(0, int(rng, 0, f.length - 1));
      }
      case 'lyingLength': {
        const payload = chance(rng, 0.5) ? attacker.validUpdate() : randomBytes(rng, int(rng, 0, 64));
        const type = pick(rng, [MESSAGE_SYNC, MESSAGE_AWARENESS]);
        const claimed = pick(rng, [payload.length + int(rng, 1, 1000), 2 ** 31, 2 ** 53 - 1, 0xffffffff]);
        return frame(
          type,
          (e) => type === MESSAGE_SYNC && encoding.writeVarUint(e, pick(rng, [0, 1, 2])),
          (e) => encoding.writeVarUint(e, claimed),
          (e) => encoding.writeUint8Array(e, payload)
        );
      }
      case 'unknownType':
        return chance(rng, 0.5)
          ? frame(int(rng, 4, 2 ** 20), (e) => encoding.writeUint8Array(e, randomBytes(rng, int(rng, 0, 16))))
          : syncFrame(int(rng, 3, 1000), randomBytes(rng, int(rng, 0, 16)));
      case 'text':
        return pick(rng, ['', 'hello', '{"type":"sync"}', '\u0000\u0001', 'x'.repeat(int(rng, 1, 1000))]);
      case 'oversized': {
        const n = target.maxMessageBytes + int(rng, 1, 4096);
        const f = randomBytes(rng, 64);
        const out = new Uint8Array(n);
        out.set(chance(rng, 0.5) ? updateMessage(attacker.validUpdate()).subarray(0, 64) : f);
        return out;
      }
      case 'badStateVector':
        return syncFrame(syncProtocol.messageYjsSyncStep1, mutate(rng, Y.encodeStateVector(attacker.doc)));
      case 'syncRequest':
        return syncFrame(
          syncProtocol.messageYjsSyncStep1,
          chance(rng, 0.5) ? new Uint8Array([0]) : Y.encodeStateVector(attacker.doc)
        );
      case 'queryAwareness':
        return frame(MESSAGE_QUERY_AWARENESS);
      case 'mutatedUpdate':
        return syncFrame(pick(rng, [1, 2]), mutate(rng, attacker.validUpdate()));
      case 'trailingBytes': {
        // A length shorter than what follows: the payload is a prefix of a real update.
        const u = attacker.validUpdate();
        const cut = int(rng, 0, u.length - 1);
        return frame(
          MESSAGE_SYNC,
          (e) => encoding.writeVarUint(e, 2),
          (e) => encoding.writeVarUint(e, cut),
          (e) => encoding.writeUint8Array(e, u)
        );
      }
      case 'foreignClient':
        return updateMessage(attacker.foreignClient());
      case 'nonMapIncident':
        return updateMessage(attacker.nonMapIncident());
      case 'deleteIncident':
        return updateMessage(attacker.deleteIncident());
      case 'badFields':
        return updateMessage(attacker.badFields());
      case 'attackerIncident':
        return updateMessage(attacker.attackerIncident());
      case 'garbageAwareness':
        return garbageAwareness(rng, target, own);
    }
  })();
  return { kind, data };
}

/**
 * One connection's worth of frames: `n` survivable ones (at most 4 sync requests, under the
 * burst), then, usually, one fatal frame; sometimes too many sync requests (4529).
 */
export function makeBatch(rng: Rng, target: FuzzTarget, n: number): FuzzFrame[] {
  const attacker = new Attacker(rng, target);
  const frames: FuzzFrame[] = [];
  let syncRequests = 0;
  for (let i = 0; i < n; i++) {
    let kind = pick(rng, SURVIVABLE_KINDS);
    if (kind === 'syncRequest' && ++syncRequests > 4) kind = 'queryAwareness';
    frames.push(makeFrame(rng, kind, attacker, target));
  }
  if (chance(rng, 0.05)) for (let i = 0; i < 8; i++) frames.push(makeFrame(rng, 'syncRequest', attacker, target));
  else if (chance(rng, 0.85)) frames.push(makeFrame(rng, pick(rng, FATAL_KINDS), attacker, target));
  attacker.doc.destroy();
  return frames;
}
