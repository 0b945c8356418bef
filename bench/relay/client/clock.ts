import { performance } from 'node:perf_hooks';

/** Wall-clock milliseconds with sub-millisecond resolution, the same clock for every client here. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` every `everyMs` until true or `ms` pass; returns whether it became true. */
export async function waitUntil(fn: () => boolean, ms: number, everyMs = 5): Promise<boolean> {
  const end = now() + ms;
  while (!fn()) {
    if (now() > end) return false;
    await sleep(everyMs);
  }
  return true;
}

export async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
