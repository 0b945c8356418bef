/** What a room's persisted state is when it loads. */
export interface StoredDoc {
  /** Snapshot and log merged into one update; null for a room never written. */
  state: Uint8Array | null;
  /** The highest log sequence number included in `state` (0 when none). */
  seq: number;
  /** Log entries not yet folded into the snapshot. */
  pending: number;
}

/**
 * Where Yjs document updates are kept. The relay appends every update before it broadcasts it
 * (many at once, in one `transaction`, which hooks such as the integrations outbox join) and loads
 * a room's state before answering its first sync step; compaction folds the log into a snapshot
 * in the background, deleting only the entries the snapshot contains. Implementations: SQLite
 * (embedded default); the contract tests in doc-store.contract.ts run against each.
 */
export interface DocStore {
  load(room: string): Promise<StoredDoc>;
  /**
   * Runs `fn` in one atomic, durable transaction: everything it appended (and whatever else
   * hooks wrote through the same database) commits together or not at all. Nested calls are
   * savepoints: a failing inner call rolls back only itself.
   */
  transaction<T>(fn: () => T): T;
  /** Appends one update and returns its sequence number (increasing per store). */
  append(workspaceId: string, room: string, update: Uint8Array): number;
  /** Replaces the log entries of `room` up to `upToSeq` (and the old snapshot) by `snapshot`. */
  compact(workspaceId: string, room: string, snapshot: Uint8Array, upToSeq: number): void;
  /** The stored snapshot and the log entries after it, unmerged (for merging off the main thread). */
  parts(room: string): { snapshot: Uint8Array | null; updates: Uint8Array[]; seq: number };
  /** Log entries written since the last compaction. */
  pendingCount(room: string): number;
  close(): Promise<void>;
}
