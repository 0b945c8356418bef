/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline start. Install caches only what starting needs: the shell and the files it loads (its
 * modulepreload and stylesheet links: the entry chunks), so installing never competes with the
 * first visit for the whole build. Every other built file is cached when it is first used, and
 * once the app is idle it asks for the remaining route code at low priority (`warm`), so a page
 * never visited still opens offline. API and sync traffic are never cached here: the catalog lives
 * in Dexie and the documents in y-indexeddb.
 */
import { build, files, version } from '$service-worker';
import { shellAssets, type SwMessage, type SwReply } from '$lib/sw-protocol.ts';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `firebreak-${version}`;
/** The SPA shell: the server answers every page path with it. */
const SHELL = '/';
const IMMUTABLE = new Set([...build, ...files]);

async function put(cache: Cache, path: string, init?: RequestInit): Promise<void> {
  if (await cache.match(path)) return;
  const res = await fetch(path, init);
  if (res.ok) await cache.put(path, res);
}

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const shell = await fetch(SHELL, { cache: 'no-cache' });
      if (!shell.ok) throw new Error(`shell answered ${shell.status}`);
      const html = await shell.clone().text();
      await cache.put(SHELL, shell);
      const start = shellAssets(html).filter((p) => IMMUTABLE.has(p));
      await Promise.all([...start, ...files].map((p) => put(cache, p)));
      await sw.skipWaiting();
    })()
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      // Hashed files that this build still uses are kept from the previous cache, not fetched again.
      const cache = await caches.open(CACHE);
      for (const key of await caches.keys()) {
        if (key === CACHE) continue;
        const old = await caches.open(key);
        for (const req of await old.keys()) {
          const path = new URL(req.url).pathname;
          if (IMMUTABLE.has(path) && !(await cache.match(path))) {
            const hit = await old.match(req);
            if (hit) await cache.put(path, hit);
          }
        }
        await caches.delete(key);
      }
      await sw.clients.claim();
    })()
  );
});

sw.addEventListener('message', (event) => {
  const msg = event.data as SwMessage;
  if (!msg || typeof msg !== 'object') return;
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Files the page loaded before this worker controlled it (the first visit): from the HTTP cache.
      const paths = msg.type === 'used' ? msg.paths.filter((p) => IMMUTABLE.has(p)) : msg.type === 'warm' ? build : [];
      for (const p of paths) {
        if (msg.type === 'warm' && (await cache.match(p))) continue;
        try {
          await put(cache, p, msg.type === 'warm' ? ({ priority: 'low' } as RequestInit) : undefined);
        } catch {
          return; // offline or a newer deploy: the next visit tries again
        }
      }
      // Tell the page every route now opens offline (it marks <html data-offline-ready>).
      if (msg.type === 'warm') (event.source as Client | null)?.postMessage({ type: 'warmed' } satisfies SwReply);
    })()
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/sync')) return;

  if (IMMUTABLE.has(url.pathname)) {
    // Hashed build output never changes under the same name: cache first, cached on first use.
    event.respondWith(
      (async () => {
        const hit = await caches.match(url.pathname);
        if (hit) return hit;
        const res = await fetch(req);
        if (res.ok) {
          const copy = res.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(url.pathname, copy)));
        }
        return res;
      })()
    );
  } else if (req.mode === 'navigate') {
    // Pages: the network's shell when reachable (a new deploy), else the cached one.
    event.respondWith(
      (async () => {
        try {
          const res = await fetch(req);
          if (res.ok) {
            const cache = await caches.open(CACHE);
            await cache.put(SHELL, res.clone());
          }
          return res;
        } catch {
          return (await caches.match(SHELL)) ?? Response.error();
        }
      })()
    );
  }
});
