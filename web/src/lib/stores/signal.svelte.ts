import { createSubscriber } from 'svelte/reactivity';

/**
 * A change notification that Svelte can track: `track()` inside a getter makes any effect or
 * derived that called the getter re-run on `notify()`. The stores call `notify()` from their
 * Yjs observers, so components re-read only what a change touched.
 */
export class Signal {
  #listeners = new Set<() => void>();
  readonly track = createSubscriber((update) => {
    this.#listeners.add(update);
    return () => this.#listeners.delete(update);
  });
  notify(): void {
    for (const l of this.#listeners) l();
  }
}
