/**
 * When this browser last looked at a workspace's Checks, as the catalog sequence it had seen
 * then: failures that arrived after it are marked new. Kept per workspace in localStorage.
 */
const key = (workspaceId: string) => `firebreak:checks-seen:${workspaceId}`;

export function lastSeenSeq(
  workspaceId: string,
  storage: Storage | undefined = globalThis.localStorage
): number | null {
  try {
    const raw = storage?.getItem(key(workspaceId));
    const n = raw === null || raw === undefined ? NaN : Number(JSON.parse(raw)?.seq);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** Records what this visit saw; never moves backwards (another tab may have seen more). */
export function markSeen(
  workspaceId: string,
  seq: number,
  storage: Storage | undefined = globalThis.localStorage
): void {
  try {
    const before = lastSeenSeq(workspaceId, storage);
    if (before !== null && before >= seq) return;
    storage?.setItem(key(workspaceId), JSON.stringify({ seq, at: new Date().toISOString() }));
  } catch {
    // Storage full or disabled: nothing is marked new next time, which is harmless.
  }
}
