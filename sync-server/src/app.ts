import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { serveStatic } from '@hono/node-server/serve-static';
import { upgradeWebSocket } from '@hono/node-server';
import type { Logger } from 'pino';
import { apiRoutes, type ApiDeps } from './api/routes.ts';
import { ApiError, errorBody } from './api/errors.ts';
import type { Relay } from './relay/relay.ts';
import { syncSocket } from './relay/socket.ts';

export interface AppDeps extends ApiDeps {
  relay: Relay;
  log: Logger;
  /** Folder of the built SPA, or null to serve the API only. */
  webDir: string | null;
}

/** The whole HTTP surface: API, the y-websocket relay at /sync/:room, and the SPA. */
export function createApp(deps: AppDeps) {
  const app = new Hono();

  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message, err.issues), err.status);
    if (err instanceof HTTPException) return c.json(errorBody('http_error', err.message), err.status);
    deps.log.error({ err, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal', 'Something went wrong on the server; it has been logged'), 500);
  });

  app.use('/api/*', async function requestLog(c, next) {
    const start = performance.now();
    await next();
    const entry = {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - start)
    };
    // Browsers poll reads; writes and failures are what an operator wants to see.
    if (c.req.method === 'GET' && c.res.status < 400) deps.log.debug(entry, 'request');
    else deps.log.info(entry, 'request');
  });
  app.route('/api/v1', apiRoutes(deps));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No API route ${c.req.method} ${c.req.path}`), 404));

  app.get(
    '/sync/:room',
    upgradeWebSocket((c) => syncSocket(deps.relay, c.req.param('room') ?? '', deps.log), {
      onError: (err: unknown) => deps.log.error({ err }, 'websocket handler error')
    })
  );

  const webDir = deps.webDir;
  const indexFile = webDir ? path.join(webDir, 'index.html') : null;
  if (webDir && indexFile && fs.existsSync(indexFile)) {
    app.use('/_app/immutable/*', async function immutableCache(c, next) {
      await next();
      if (c.res.ok) c.header('Cache-Control', 'public, max-age=31536000, immutable');
    });
    app.use('*', serveStatic({ root: path.relative(process.cwd(), webDir) || '.' }));
    // A missing asset is a 404, never the HTML shell: a browser holding an old build must not
    // run HTML as JavaScript.
    app.get('/_app/*', (c) => c.text('Not found', 404));
    // Client-side routes (/incidents/…) all load the SPA shell, read per request so a rebuild
    // is picked up without a restart.
    app.get('*', async (c) => {
      c.header('Cache-Control', 'no-cache');
      return c.html(await fs.promises.readFile(indexFile, 'utf8'));
    });
  } else {
    app.get('/', (c) =>
      c.text('Firebreak API is running. The web app is not built: run `pnpm build` (or `pnpm start`) to serve it here.')
    );
  }
  return app;
}
