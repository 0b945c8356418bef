import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { getCookie } from 'hono/cookie';
import { serveStatic } from '@hono/node-server/serve-static';
import { upgradeWebSocket } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Logger } from 'pino';
import type { AccessService } from './access/access-service.ts';
import { SESSION_COOKIE } from './access/sessions.ts';
import { apiRoutes, type ApiDeps } from './api/routes.ts';
import { ApiError, errorBody } from './api/errors.ts';
import { sameOrigin } from './api/http.ts';
import { CloseCode } from './relay/protocol.ts';
import type { Relay } from './relay/relay.ts';
import { syncSocket } from './relay/socket.ts';
import { RelayRefusal, type ConnectionContext } from './relay/types.ts';
import { atLeast } from './access/members.ts';

export interface AppDeps extends ApiDeps {
  relay: Relay;
  log: Logger;
  access: AccessService;
  /** Origins whose pages may use the API and the relay with a session: PUBLIC_URL (and `pnpm dev`'s). */
  allowedOrigins: () => ReadonlySet<string>;
  /** Folder of the built SPA, or null to serve the API only. */
  webDir: string | null;
}

/** Refused websocket upgrades one address may make per window before it is answered 429 without upgrading. */
export const MAX_REFUSED_UPGRADES_PER_MINUTE = 30;

/** The whole HTTP surface: API, the y-websocket relay at /sync/:room, and the SPA. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.issues), err.status);
    if (err instanceof HTTPException) return c.json(errorBody('http_error', err.message), err.status);
    deps.log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'Something went wrong on the server; it has been logged'), 500);
  });

  app.use('*', async function securityHeaders(c, next) {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    // Invite links carry their token in the path: never hand it to another site.
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Cross-Origin-Opener-Policy', 'same-origin');
    if (!c.res.headers.has('Content-Security-Policy'))
      c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  });

  app.use('/api/*', async function requestLog(c, next) {
    const start = performance.now();
    await next();
    const entry = {
      method: c.req.method,
      // Never the query or the token in /invites/<token>: paths only, secrets cut.
      path: c.req.path.replace(/\/invites\/fbj_[^/]+/, '/invites/…'),
      status: c.res.status,
      ms: Math.round(performance.now() - start)
    };
    // Browsers poll reads; writes and failures are what an operator wants to see.
    if (c.req.method === 'GET' && c.res.status < 400) deps.log.debug(entry, 'request');
    else deps.log.info(entry, 'request');
  });
  app.use('/api/*', sameOrigin(deps.allowedOrigins));
  app.route('/api/v1', apiRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), 404));

  const refusals = new RefusalCounter(MAX_REFUSED_UPGRADES_PER_MINUTE, 60_000);
  app.get(
    '/sync/:room',
    async function upgradeGate(c, next) {
      if (refusals.over(address(c)))
        return c.text('Too many refused connections from this address; wait a minute', 429);
      await next();
    },
    upgradeWebSocket(
      (c) => {
        const room = c.req.param('room') ?? '';
        const auth = authenticateUpgrade(deps, c, room);
        if (auth instanceof RelayRefusal) {
          refusals.add(address(c));
          deps.log.info({ room, code: auth.code, reason: auth.reason }, 'refused a sync connection');
        }
        return syncSocket(deps.relay, room, auth, deps.log);
      },
      { onError: (err: unknown) => deps.log.error({ err }, 'websocket handler error') }
    )
  );

  const webDir = deps.webDir;
  const indexFile = webDir ? path.join(webDir, 'index.html') : null;
  if (webDir && indexFile && fs.existsSync(indexFile)) {
    app.use('/_app/immutable/*', async function immutableCache(c, next) {
      await next();
      if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
    });
    // Client-side routes (/w/…) all load the SPA shell, read per request so a rebuild is picked up
    // without a restart; its CSP allows exactly the inline bootstrap script it contains.
    const shell = async (c: Context) => {
      const html = await fs.promises.readFile(indexFile, 'utf8');
      c.header('Cache-Control', 'no-cache');
      c.header('Content-Security-Policy', shellCsp(html));
      return c.html(html);
    };
    // Before the static files, which would serve index.html for `/` with the assets' policy.
    app.get('/', shell);
    app.get('/index.html', shell);
    app.use('*', async function assetPolicy(c, next) {
      await next();
      if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', assetCsp());
    });
    app.use('*', serveStatic({ root: path.relative(process.cwd(), webDir) || '.' }));
    // A missing asset is a 404, never the HTML shell: a browser holding an old build must not
    // run HTML as JavaScript.
    app.get('/_app/*', (c) => c.text('Not found', 404));
    app.get('*', shell);
  } else {
    app.get('/', (c) =>
      c.text('Firebreak API is running. The web app is not built: run `pnpm build` (or `pnpm start`) to serve it here.')
    );
  }
  return app;
}

function address(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Who may open this room: the Origin (when a browser sends one) must be the app's own, the
 * session must be a member of the room's workspace, and viewers connect read-only.
 */
function authenticateUpgrade(deps: AppDeps, c: Context, room: string): ConnectionContext | RelayRefusal {
  const origin = c.req.header('origin');
  if (origin && !deps.allowedOrigins().has(origin))
    return new RelayRefusal(CloseCode.Forbidden, `Connections from ${origin} are not allowed`);
  const policy = deps.workspace.resolveRoom(room);
  if (!policy) return new RelayRefusal(CloseCode.NotFound, 'This workspace does not exist');
  const sid = deps.access.sessions.verifyCookie(getCookie(c, SESSION_COOKIE));
  if (!sid) return new RelayRefusal(CloseCode.Unauthorized, 'Not signed in: open an invite link to join');
  const grant = deps.access.grant(sid, policy.workspaceId);
  if (!grant) {
    if (deps.access.wasRemoved(sid, policy.workspaceId)) {
      const name = deps.access.workspaces.get(policy.workspaceId)?.name ?? policy.workspaceId;
      return new RelayRefusal(CloseCode.Unauthorized, `Your access to ${name} was removed`);
    }
    if (!deps.access.grants(sid).length)
      return new RelayRefusal(CloseCode.Unauthorized, 'Signed out: open an invite link to join');
    return new RelayRefusal(CloseCode.Forbidden, 'You are not a member of this workspace');
  }
  const { member } = grant;
  return {
    workspaceId: policy.workspaceId,
    member: { id: member.id, name: member.name, email: member.email },
    role: member.role,
    readOnly: !atLeast(member.role, 'editor')
  };
}

/** Counts refusals per address in a sliding window (a fixed window per address, reset when it expires). */
class RefusalCounter {
  private readonly counts = new Map<string, { n: number; since: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number
  ) {}
  private entry(addr: string, now: number) {
    let e = this.counts.get(addr);
    if (!e || now - e.since > this.windowMs) {
      e = { n: 0, since: now };
      this.counts.set(addr, e);
      if (this.counts.size > 10_000) this.prune(now);
    }
    return e;
  }
  private prune(now: number) {
    for (const [a, e] of this.counts) if (now - e.since > this.windowMs) this.counts.delete(a);
  }
  add(addr: string, now = Date.now()) {
    this.entry(addr, now).n++;
  }
  over(addr: string, now = Date.now()): boolean {
    return this.entry(addr, now).n >= this.limit;
  }
}

function assetCsp(): string {
  return "default-src 'self'; object-src 'none'; frame-ancestors 'none'";
}

const shellCspCache = new Map<string, string>();
/** The app's policy: its own scripts plus the hashes of the inline bootstrap in this build's shell. */
function shellCsp(html: string): string {
  const cached = shellCspCache.get(html);
  if (cached) return cached;
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`
  );
  const policy = [
    "default-src 'self'",
    `script-src 'self' ${hashes.join(' ')}`.trim(),
    // Svelte sets style properties from script (allowed); inline style attributes come from the build.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'"
  ].join('; ');
  shellCspCache.clear();
  shellCspCache.set(html, policy);
  return policy;
}
