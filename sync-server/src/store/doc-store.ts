/**
 * Where Yjs document updates are kept. The relay appends every update before it broadcasts it
 * and loads a room's state before answering its first sync step; compaction merges the log into
 * one snapshot in the background. Implementations: SQLite (embedded default); the contract tests
 * in doc-store.contract.ts run against each.
 */
export interface DocStore {
  /** All persisted state of `room` merged into one update, or null for a room never written. */
  load(room: string): Promise<Uint8Array | null>;
  /** Durably appends one update; resolves only once it would survive a process kill. */
  append(room: string, update: Uint8Array): Promise<void>;
  /** Replaces everything stored for `room` up to now by `snapshot` (the merged state). */
  compact(room: string, snapshot: Uint8Array): Promise<void>;
  /** Number of log entries written since the last compaction. */
  pendingCount(room: string): Promise<number>;
  close(): Promise<void>;
}
