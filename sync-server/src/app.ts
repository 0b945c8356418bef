import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Logger } from 'pino';
import type { AccessService } from './access/access-service.ts';
import { apiRoutes, type ApiDeps } from './api/routes.ts';
import { ApiError, errorBody } from './api/errors.ts';
import { sameOrigin } from './api/http.ts';
import { compressResponses, precompressedStatic } from './web/encoding.ts';

export interface AppDeps extends ApiDeps {
  log: Logger;
  access: AccessService;
  /** Origins whose pages may use the API and the relay with a session: PUBLIC_URL (and `pnpm dev`'s). */
  allowedOrigins: () => ReadonlySet<string>;
  /** Folder of the built SPA, or null to serve the API only. */
  webDir: string | null;
}

/** The HTTP surface: API and the SPA (the relay's websocket upgrades are `relay/upgrade.ts`). */
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
  app.use('/api/*', compressResponses());
  app.use('/api/*', sameOrigin(deps.allowedOrigins));
  app.route('/api/v1', apiRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), 404));

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
    const compressed = compressResponses();
    app.get('/', compressed, shell);
    app.get('/index.html', compressed, shell);
    app.use('*', async function assetPolicy(c, next) {
      await next();
      if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', assetCsp());
    });
    // Built assets come with .br/.gz siblings (adapter-static's precompress): served by negotiation.
    app.use('*', precompressedStatic(webDir));
    app.use('*', serveStatic({ root: path.relative(process.cwd(), webDir) || '.' }));
    // A missing asset is a 404, never the HTML shell: a browser holding an old build must not
    // run HTML as JavaScript.
    app.get('/_app/*', (c) => c.text('Not found', 404));
    app.get('*', compressed, shell);
  } else {
    app.get('/', (c) =>
      c.text('Firebreak API is running. The web app is not built: run `pnpm build` (or `pnpm start`) to serve it here.')
    );
  }
  return app;
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
