import * as Y from 'yjs';

/** Updates merged per `Y.mergeUpdates` call: its cost grows much faster than linearly with the count. */
const MERGE_FAN_IN = 32;

/**
 * `Y.mergeUpdates` over many updates, merged in rounds of MERGE_FAN_IN (20,000 small updates:
 * ~0.3 s instead of minutes in one call). A leading snapshot is merged last, once.
 */
export function mergeAll(snapshot: Uint8Array | null, updates: Uint8Array[]): Uint8Array | null {
  let level = updates;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += MERGE_FAN_IN) {
      const chunk = level.slice(i, i + MERGE_FAN_IN);
      next.push(chunk.length === 1 ? chunk[0]! : Y.mergeUpdates(chunk));
    }
    level = next;
  }
  const log = level[0] ?? null;
  if (!snapshot) return log;
  return log ? Y.mergeUpdates([snapshot, log]) : snapshot;
}
