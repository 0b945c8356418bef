import { untrack } from 'svelte';
import type { Command } from './commands.ts';

/**
 * What the command palette offers beyond navigation: each page registers the actions that make
 * sense on it (the incident page: status, severity, lead; a check page: create or link an
 * incident), computed when the palette opens. One per app.
 */
class CommandRegistry {
  #sources = $state<Array<() => Command[]>>([]);
  /** The palette is open. */
  paletteOpen = $state(false);
  /** The keyboard shortcuts list is open. */
  shortcutsOpen = $state(false);

  /** Adds a page's commands; returns the function that removes them (an $effect's cleanup). */
  register(source: () => Command[]): () => void {
    // Called from effects: reading the list here must not make the effect depend on it.
    untrack(() => (this.#sources = [...this.#sources, source]));
    return () => untrack(() => (this.#sources = this.#sources.filter((s) => s !== source)));
  }

  pageCommands(): Command[] {
    return this.#sources.flatMap((s) => s());
  }
}

export const commands = new CommandRegistry();
