import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

export interface BearerOptions {
  /** The accepted token. */
  token: string;
  /** What the token is for, used in error messages. */
  realm?: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `Authorization: Bearer <token>` check, in constant time. */
export function bearerToken({ token, realm = 'ingest' }: BearerOptions): MiddlewareHandler {
  return async function bearer(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match) {
      c.header('WWW-Authenticate', `Bearer realm="${realm}"`);
      throw new ApiError(401, 'unauthorized', `Send the ${realm} token as "Authorization: Bearer <token>"`);
    }
    if (!same(match[1]!.trim(), token)) throw new ApiError(401, 'unauthorized', `The ${realm} token is not valid`);
    await next();
  };
}
