/** Messages from the page to the service worker (src/service-worker.ts). */
export type SwMessage =
  /** Built files this page loaded (possibly before the worker controlled it): cache them. */
  | { type: 'used'; paths: string[] }
  /** The app is idle: cache the rest of the build at low priority, for pages not visited yet. */
  | { type: 'warm' };

/** Messages from the service worker to the page. */
export type SwReply =
  /** The whole build is cached: every page now opens offline. */
  { type: 'warmed' };

/** Set on `<html>` (`data-offline-ready`) once the worker reports the whole app cached. */
export const OFFLINE_READY_ATTRIBUTE = 'offlineReady';

/**
 * The same-origin files the shell starts with: its `<link href>`s (modulepreload, stylesheet,
 * icon) and the modules its inline bootstrap imports. Paths only, in document order, no repeats.
 */
export function shellAssets(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/<link\b[^>]*\bhref=["']([^"']+)["'][^>]*>/gi)) found.add(m[1]!);
  for (const m of html.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)) found.add(m[1]!);
  return [...found].filter((p) => p.startsWith('/') && !p.startsWith('//'));
}
