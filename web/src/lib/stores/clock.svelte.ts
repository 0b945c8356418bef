import { createSubscriber } from 'svelte/reactivity';

/** Relative times ("3 minutes ago") go stale; this re-renders their readers every so often. */
const TICK_MS = 30_000; // finest unit shown is minutes, so half a minute keeps them honest

class Clock {
  #subscribe = createSubscriber((update) => {
    const timer = setInterval(update, TICK_MS);
    return () => clearInterval(timer);
  });

  get now(): number {
    this.#subscribe();
    return Date.now();
  }
}

export const clock = new Clock();
