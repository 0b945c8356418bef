/** What to show a person for a thrown value. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs a write that the shared domain rules may refuse; returns the refusal to show, or null.
 * Refused edits are shown, never swallowed.
 */
export function attempt(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return errorMessage(err);
  }
}
