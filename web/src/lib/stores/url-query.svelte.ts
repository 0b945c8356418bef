import { untrack } from 'svelte';
import { goto } from '$app/navigation';
import { page } from '$app/state';

/**
 * Keeps a list page's filter and sort in its URL query, both ways: changes replace the history
 * entry (so Back from an incident returns to the list as it was, without one entry per
 * keystroke), and a URL that changes by itself (a link, the command palette, Back) updates the
 * list. Call during component initialisation.
 */
export function syncWithUrl<T>(opts: {
  read: () => T;
  write: (value: T) => void;
  parse: (params: URLSearchParams) => T;
  serialize: (value: T) => string;
}): void {
  /** Queries this page wrote and may still see arrive (navigations are asynchronous). */
  const written = new Set<string>();
  $effect(() => {
    const search = page.url.search;
    untrack(() => {
      if (written.has(search)) {
        if (search === opts.serialize(opts.read())) written.clear();
        return;
      }
      const next = opts.parse(page.url.searchParams);
      if (opts.serialize(next) !== opts.serialize(opts.read())) opts.write(next);
    });
  });
  $effect(() => {
    const query = opts.serialize(opts.read());
    untrack(() => {
      if (query === page.url.search) return;
      written.add(query);
      // The page's own path with a new query: nothing for resolve() to add in this SPA.
      // eslint-disable-next-line svelte/no-navigation-without-resolve
      void goto(`${page.url.pathname}${query}`, { replaceState: true, keepFocus: true, noScroll: true });
    });
  });
}
