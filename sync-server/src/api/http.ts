import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie, deleteCookie } from 'hono/cookie';
import type { z } from 'zod';
import type { MemberRole } from '@firebreak/shared';
import { AccessError, type AccessService, type Grant } from '../access/access-service.ts';
import { atLeast } from '../access/members.ts';
import { SESSION_COOKIE, SESSION_TTL_MS } from '../access/sessions.ts';
import { ApiError } from './errors.ts';

/** What the session middleware leaves on the context for the routes. */
export interface ApiEnv {
  Variables: {
    /** The browser's session id (from a validly signed cookie), or null. */
    sid: string | null;
    /** The caller's grant in the `:ws` workspace, set by `requireRole`. */
    grant: Grant;
    /** The workspace an ingest token belongs to, set by the token check of `POST /scans`. */
    ingestWorkspace: string;
  };
}

/** Small JSON bodies (profiles, roles, invites): anything bigger is refused while it streams in. */
export const MAX_JSON_BYTES = 64 * 1024;

export function jsonLimit(maxSize = MAX_JSON_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, 'too_large', `Request bodies here are limited to ${maxSize} bytes`);
    }
  });
}

/** Parses a JSON body against `schema`; a 400 lists every bad field. */
export async function readJson<T>(c: Context, schema: z.ZodType<T>, message: string): Promise<T> {
  const body: unknown = await c.req.json().catch(() => {
    throw new ApiError(400, 'invalid_json', 'The body is not JSON', [{ path: '(root)', message: 'not valid JSON' }]);
  });
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new ApiError(
      400,
      'invalid_body',
      message,
      parsed.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }))
    );
  return parsed.data;
}

/** Access refusals become API errors with their own status and code. */
export function rethrow(err: unknown): never {
  if (err instanceof AccessError) throw new ApiError(err.status, err.code, err.message);
  throw err;
}

export interface CookieOptions {
  /** Secure cookies when people reach the server over https. */
  secure: boolean;
}

/** Reads the session cookie; a cookie whose signature does not match counts as none. */
export function session(access: AccessService): MiddlewareHandler<ApiEnv> {
  return async function sessionCookie(c, next) {
    c.set('sid', access.sessions.verifyCookie(getCookie(c, SESSION_COOKIE)));
    await next();
  };
}

/** The browser's session id, creating a session (and its cookie) when it has none. */
export function ensureSession(c: Context<ApiEnv>, access: AccessService, cookie: CookieOptions): string {
  const existing = c.get('sid');
  if (existing) return existing;
  const { sid, cookie: value } = access.sessions.newCookie();
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: cookie.secure,
    path: '/',
    maxAge: Math.floor(SESSION_TTL_MS / 1000)
  });
  c.set('sid', sid);
  return sid;
}

export function clearSession(c: Context<ApiEnv>, cookie: CookieOptions) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: cookie.secure });
}

/**
 * The caller must be a member of `:ws` with at least `role`: 401 without a session (sign in with
 * an invite) or for a removed member, 403 for a member of other workspaces only or a role too
 * low, 404 for a workspace that does not exist.
 */
export function requireRole(access: AccessService, role: MemberRole): MiddlewareHandler<ApiEnv> {
  return async function member(c, next) {
    const ws = c.req.param('ws') ?? '';
    const workspace = access.workspaces.get(ws);
    if (!workspace) throw new ApiError(404, 'not_found', `No workspace "${ws}"`);
    const sid = c.get('sid');
    const grant = access.grant(sid, ws);
    if (!grant) {
      if (access.wasRemoved(sid, ws))
        throw new ApiError(401, 'access_removed', `Your access to ${workspace.name} was removed`);
      if (sid && access.grants(sid).length)
        throw new ApiError(
          403,
          'not_a_member',
          `You are not a member of ${workspace.name}; ask one of its admins for an invite`
        );
      throw new ApiError(
        401,
        'unauthorized',
        `Sign in to ${workspace.name} first: open an invite link from one of its admins`
      );
    }
    if (!atLeast(grant.member.role, role))
      throw new ApiError(
        403,
        'forbidden',
        `This needs the ${role} role in ${workspace.name}; you are ${grant.member.role}`
      );
    c.set('grant', grant);
    await next();
  };
}

/**
 * Refuses state-changing requests from other origins (a page elsewhere making the browser post
 * with its cookie). Browsers send Origin on every such request; tools without one (the CLI,
 * curl) cannot carry a browser's cookie and pass.
 */
export function sameOrigin(allowed: () => ReadonlySet<string>): MiddlewareHandler {
  return async function originCheck(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && c.req.method !== 'OPTIONS') {
      const origin = c.req.header('origin');
      if (origin && !allowed().has(origin))
        throw new ApiError(
          403,
          'bad_origin',
          `Requests from ${origin} are not allowed; open Firebreak at its own address (PUBLIC_URL)`
        );
    }
    await next();
  };
}
