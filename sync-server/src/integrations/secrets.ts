import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deriveKey } from '../access/crypto.ts';

/**
 * Integration secrets at rest: AES-256-GCM under a key derived from the server key (DATA_DIR/secret-key
 * or FIREBREAK_SECRET_KEY). Layout: version byte 1, 12-byte IV, 16-byte tag, ciphertext. The
 * workspace and integration ids are the additional data, so a row's secrets cannot be swapped
 * into another row.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(serverKey: Buffer) {
    this.key = deriveKey(serverKey, 'integration-secrets');
  }

  seal(value: Record<string, unknown>, aad: string): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer, aad: string): Record<string, unknown> {
    if (sealed[0] !== 1) throw new Error('unknown secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(13, 29));
    const text = Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as Record<string, unknown>;
  }
}
