/**
 * Sortable unique ids (ULID layout: 48-bit millisecond time + 80 random bits, Crockford base32).
 * Incidents are created offline in many browsers at once, so ids must be generated client-side
 * without coordination and still sort by creation time.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Random bytes are drawn in blocks: one getRandomValues call per id costs more than the rest of
// ulid() together, and ingest makes one id per check result.
const POOL_SIZE = 4096;
const pool = new Uint8Array(POOL_SIZE);
let poolPos = POOL_SIZE;

function randomByte(): number {
  if (poolPos >= POOL_SIZE) {
    globalThis.crypto.getRandomValues(pool);
    poolPos = 0;
  }
  return pool[poolPos++]!;
}

export function ulid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ALPHABET[randomByte() & 31];
  return time + rand;
}

/** Milliseconds encoded in a ULID's first ten characters. */
export function ulidTime(id: string): number {
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + ALPHABET.indexOf(id[i]!.toUpperCase());
  return t;
}
