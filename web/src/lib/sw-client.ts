import { OFFLINE_READY_ATTRIBUTE, type SwMessage, type SwReply } from './sw-protocol.ts';

/** How long after start the app counts as idle when the browser has no requestIdleCallback. */
const IDLE_FALLBACK_MS = 4000;

/**
 * Tells the service worker which built files this page already loaded (the first visit loads
 * them before the worker controls it), then, once idle, to cache the rest for offline use.
 * Returns a cleanup.
 */
export function reportToServiceWorker(): () => void {
  if (!('serviceWorker' in navigator)) return () => {};
  let cancelled = false;
  let idle = 0;
  const onReply = (e: MessageEvent) => {
    if ((e.data as SwReply | null)?.type === 'warmed')
      document.documentElement.dataset[OFFLINE_READY_ATTRIBUTE] = 'true';
  };
  navigator.serviceWorker.addEventListener('message', onReply);
  void navigator.serviceWorker.ready.then((reg) => {
    const worker = reg.active;
    if (cancelled || !worker) return;
    const paths = performance
      .getEntriesByType('resource')
      .map((e) => new URL(e.name))
      .filter((u) => u.origin === location.origin && u.pathname.startsWith('/_app/'))
      .map((u) => u.pathname);
    worker.postMessage({ type: 'used', paths } satisfies SwMessage);
    const warm = () => !cancelled && worker.postMessage({ type: 'warm' } satisfies SwMessage);
    idle =
      typeof requestIdleCallback === 'function'
        ? requestIdleCallback(warm, { timeout: 10_000 })
        : (setTimeout(warm, IDLE_FALLBACK_MS) as unknown as number);
  });
  return () => {
    cancelled = true;
    navigator.serviceWorker.removeEventListener('message', onReply);
    if ('cancelIdleCallback' in window) cancelIdleCallback(idle);
    clearTimeout(idle);
  };
}
