/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline start: the app shell and every built asset are cached on install, so a reload with no
 * network still opens Firebreak (data itself comes from IndexedDB). API and sync traffic are
 * never cached here: the catalog lives in Dexie and the documents in y-indexeddb.
 */
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `firebreak-${version}`;
/** The SPA shell: the server answers every page path with it. */
const SHELL = '/';
const PRECACHE = [SHELL, ...build, ...files];
const IMMUTABLE = new Set([...build, ...files]);

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(PRECACHE);
      await sw.skipWaiting();
    })()
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await sw.clients.claim();
    })()
  );
});

sw.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/sync')) return;

  if (IMMUTABLE.has(url.pathname)) {
    // Hashed build output never changes under the same name: cache first.
    event.respondWith(caches.match(url.pathname).then((hit) => hit ?? fetch(req)));
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
