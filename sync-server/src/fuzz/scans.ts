/**
 * Seeded generators of malformed `POST /api/v1/scans` bodies for the ingest fuzz: truncated JSON,
 * wrong types and missing keys at random paths of a real Soda file, deep nesting, huge strings,
 * bodies over the limit, non-object roots and raw bytes. Every body's check identities are unique
 * to its case, so anything a rejected request stored would show in the catalog.
 */
import { chance, int, pick, randomBytes, type Rng } from './frames.ts';

export type ScanKind =
  | 'truncated'
  | 'wrongType'
  | 'missingKey'
  | 'deepNesting'
  | 'hugeString'
  | 'overLimit'
  | 'notAnObject'
  | 'rawBytes'
  | 'manyBadChecks';

export interface ScanCase {
  kind: ScanKind;
  body: string | Uint8Array;
  /** The identities this body's checks carry (unique to the case). */
  identities: string[];
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A copy of `scan` whose definition and check identities are unique to `tag`. */
export function uniqueScan(scan: any, tag: string): { scan: any; identities: string[] } {
  const copy = structuredClone(scan);
  copy.definitionName = `fuzz-${tag}`;
  const identities: string[] = [];
  copy.checks.forEach((c: any, i: number) => {
    const id = `fz${tag}x${i}`;
    identities.push(id);
    c.identity = id;
    if (c.identities) for (const k of Object.keys(c.identities)) c.identities[k] = id;
  });
  return { scan: copy, identities };
}

/** Every path into `v`, as key lists (the root excluded). */
function paths(v: Json, prefix: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  const children: Array<[string | number, Json]> = Array.isArray(v)
    ? v.map((x, i) => [i, x])
    : v && typeof v === 'object'
      ? Object.entries(v)
      : [];
  for (const [k, x] of children) {
    out.push([...prefix, k]);
    paths(x, [...prefix, k], out);
  }
  return out;
}

/**
 * The paths a mutation may touch: never a check's identity, so whatever a mutated body stores is
 * still recognisably this case's (an accepted body with a rewritten identity would look like a
 * check that came from nowhere).
 */
const mutable = (scan: Json) => paths(scan).filter((p) => !p.includes('identity') && !p.includes('identities'));

function setAt(root: any, path: Array<string | number>, value: unknown, remove = false) {
  let o = root;
  for (const k of path.slice(0, -1)) o = o[k];
  const last = path[path.length - 1]!;
  if (!remove) o[last] = value;
  else if (Array.isArray(o)) o.splice(last as number, 1);
  else delete o[last];
}

function otherType(rng: Rng, v: unknown): Json {
  const pool: Json[] = [42, -1.5, 'a string', '', true, false, [], {}, [1, 'x'], { x: 1 }];
  const of = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
  const candidates = pool.filter((x) => of(x) !== of(v));
  return structuredClone(pick(rng, candidates));
}

function nested(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** One malformed (or, by chance, still valid) scan body of `kind`. */
export function makeScanCase(rng: Rng, base: any, tag: string, maxBytes: number, kind: ScanKind): ScanCase {
  const { scan, identities } = uniqueScan(base, tag);
  const body = ((): string | Uint8Array => {
    switch (kind) {
      case 'truncated': {
        const text = JSON.stringify(scan);
        return text.slice(0, int(rng, 0, text.length - 1));
      }
      case 'wrongType': {
        for (let i = int(rng, 1, 3); i > 0; i--) {
          const p = pick(rng, mutable(scan));
          let o: any = scan;
          for (const k of p) o = o?.[k];
          setAt(scan, p, otherType(rng, o));
        }
        return JSON.stringify(scan);
      }
      case 'missingKey': {
        const p = chance(rng, 0.5)
          ? pick(rng, mutable(scan))
          : ['checks', 0, pick(rng, ['name', 'outcome', 'dataSource'])];
        setAt(scan, p, undefined, true);
        if (chance(rng, 0.3)) delete scan.checks;
        return JSON.stringify(scan);
      }
      case 'deepNesting': {
        const depth = pick(rng, [65, 100, int(rng, 65, 5000), 40_000]);
        const text = JSON.stringify({ ...scan, deep: '__DEEP__' });
        return text.replace('"__DEEP__"', nested(depth));
      }
      case 'hugeString': {
        const p = pick(rng, mutable(scan));
        setAt(scan, p, 'x'.repeat(int(rng, maxBytes / 4, maxBytes / 2)));
        return JSON.stringify(scan);
      }
      case 'overLimit': {
        scan.padding = 'y'.repeat(maxBytes + int(rng, 1, 4096));
        return JSON.stringify(scan);
      }
      case 'notAnObject':
        return pick(rng, ['[]', '42', '"scan"', 'null', 'true', '[{"checks":[]}]', '{"checks":"all"}', '{}', '']);
      case 'rawBytes':
        return randomBytes(rng, int(rng, 1, 2048));
      case 'manyBadChecks': {
        scan.checks = Array.from({ length: int(rng, 100, 2000) }, (_, i) =>
          pick(rng, [null, i, 'check', { name: i }, { outcome: 'maybe', identity: `fz${tag}bad${i}` }])
        );
        return JSON.stringify(scan);
      }
    }
  })();
  return { kind, body, identities };
}

export const SCAN_KINDS: readonly ScanKind[] = [
  'truncated',
  'wrongType',
  'missingKey',
  'deepNesting',
  'hugeString',
  'overLimit',
  'notAnObject',
  'rawBytes',
  'manyBadChecks'
];
