import fs from 'node:fs';
import path from 'node:path';
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new secret token: a readable prefix (what it is for) and 32 random bytes. */
export function randomToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

/** How tokens are kept in the database: only their SHA-256, so a copied database grants nothing. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of two strings (of any lengths). */
export function sameSecret(a: string, b: string): boolean {
  // Hash both first: equal-length inputs for timingSafeEqual, and no early exit on length.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const SECRET_FILE = 'secret-key';

/**
 * The server's own key: signs session cookies and (derived) encrypts integration secrets at rest.
 * From FIREBREAK_SECRET_KEY (any string of 32+ characters), else generated once into the data
 * folder (mode 0600). Losing it signs everyone out and makes stored integration secrets unreadable.
 */
export function loadServerKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.FIREBREAK_SECRET_KEY;
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error('FIREBREAK_SECRET_KEY must be at least 32 characters');
    return createHash('sha256').update(fromEnv).digest();
  }
  const file = path.join(dataDir, SECRET_FILE);
  if (fs.existsSync(file)) return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url');
  const key = randomBytes(32);
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, key.toString('base64url') + '\n', { mode: 0o600 });
  return key;
}

/** A purpose-bound key derived from the server key, so one purpose's key never serves another. */
export function deriveKey(serverKey: Buffer, purpose: string): Buffer {
  return createHmac('sha256', serverKey).update(`firebreak:${purpose}`).digest();
}

export function sign(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('base64url');
}

export function verifySignature(key: Buffer, value: string, signature: string): boolean {
  const expected = sign(key, value);
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** "7d", "12h", "30m", "45s" → milliseconds; throws with the accepted forms otherwise. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([dhms])$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration: use a number and d, h, m or s (7d, 12h, 30m)`);
  const n = Number(m[1]);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[m[2] as 'd' | 'h' | 'm' | 's'];
  if (n <= 0) throw new Error(`"${text}" must be longer than zero`);
  return n * unit;
}

/** 32 random bytes as base64url, for ids that must not be guessed (sessions). */
export function randomBytesToken(): string {
  return randomBytes(32).toString('base64url');
}
