/** One entry of the command palette: a place to go or an action on what is open. */
export interface Command {
  id: string;
  /** What the entry says: "Set status: Investigating", "INC-4: Null emails in orders". */
  label: string;
  /** Where it belongs; groups are listed in `GROUP_ORDER`. */
  group: CommandGroup;
  /** Right-aligned context: a status, a dataset. */
  detail?: string;
  /** Extra words it is found by (an incident's number without "INC-", a check's column…). */
  keywords?: string;
  run: () => void;
}

export type CommandGroup = 'Actions' | 'Go to' | 'Incidents' | 'Checks';
export const GROUP_ORDER: Record<CommandGroup, number> = { Actions: 0, 'Go to': 1, Incidents: 2, Checks: 3 };

/**
 * The entries matching `query`, best first: every word must occur in the label, detail or
 * keywords; a label starting with the query, then a word of the label starting with the first
 * word, rank higher; then by group, then in the given order. With no query, the given order
 * (actions first). At most `limit`.
 */
export function rankCommands(commands: readonly Command[], query: string, limit = 50): Command[] {
  const q = query.trim().toLowerCase();
  const words = q.split(/\s+/).filter(Boolean);
  const scored: Array<{ c: Command; score: number; i: number }> = [];
  commands.forEach((c, i) => {
    const label = c.label.toLowerCase();
    if (words.length) {
      const hay = `${label} ${c.detail ?? ''} ${c.keywords ?? ''}`.toLowerCase();
      if (!words.every((w) => hay.includes(w))) return;
    }
    const score = !words.length
      ? 0
      : label.startsWith(q)
        ? 0
        : label.split(/[\s:·(),]+/).some((part) => part.startsWith(words[0]))
          ? 1
          : 2;
    scored.push({ c, score, i });
  });
  scored.sort((a, b) => a.score - b.score || GROUP_ORDER[a.c.group] - GROUP_ORDER[b.c.group] || a.i - b.i);
  return scored.slice(0, limit).map((s) => s.c);
}

/** Whether a key press happens while typing (where `/` and `?` are text, not shortcuts). */
export function isTyping(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  if (el instanceof HTMLInputElement)
    return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(el.type);
  return false;
}
