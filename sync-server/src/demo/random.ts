/**
 * Deterministic randomness for the demo and benchmark generators: the same seed gives the same
 * scans on every machine, so a demo workspace and a benchmark run can be reproduced exactly.
 */

export { mulberry32 } from '@firebreak/shared';

/** FNV-1a over UTF-16 code units: small, stable, and spreads short similar strings well. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** 8 lower-case hex characters, the shape of a Soda check identity. */
export function hex8(text: string): string {
  return hash32(text).toString(16).padStart(8, '0');
}

/**
 * Hands out check identities derived from (data source, table, check text), unique within one
 * registry: 32 bits collide about once in 10,000 checks (birthday bound), so a collision is
 * re-hashed with a counter, which keeps the result deterministic.
 */
export class IdentityRegistry {
  private readonly taken = new Set<string>();
  identity(dataSource: string, table: string, checkText: string): string {
    const key = `${dataSource}/${table}/${checkText}`;
    let id = hex8(key);
    for (let n = 1; this.taken.has(id); n++) id = hex8(`${key}#${n}`);
    this.taken.add(id);
    return id;
  }
}

/** Uniform in [min, max). */
export const between = (rnd: () => number, min: number, max: number) => min + rnd() * (max - min);

export const round = (v: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
