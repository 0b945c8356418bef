import { Worker } from 'node:worker_threads';
import * as Y from 'yjs';
import type { Db } from '../db/open.ts';
import type { DocStore } from './doc-store.ts';
import { mergeAll } from './merge.ts';

/** What one compaction folded. */
export interface Compaction {
  /** The snapshot now holds every log entry up to this sequence number. */
  upToSeq: number;
  /** Log entries folded (0: nothing to do, nothing written). */
  entries: number;
  /** Size of the snapshot written. */
  bytes: number;
}

export interface CompactOptions {
  /**
   * Rebuild the snapshot through a fresh Y.Doc, so content deleted since is garbage-collected;
   * otherwise the stored updates are merged (`Y.mergeUpdates`: 2–3× faster on a large snapshot,
   * but it keeps the payload of overwritten values until the next rebuild).
   */
  gc: boolean;
}

/**
 * Folds a room's stored log into its snapshot from what the store holds (not from the live
 * document): only entries up to the sequence number it read are replaced, so updates stored
 * meanwhile stay in the log.
 */
export interface Compactor {
  compact(workspaceId: string, room: string, opts: CompactOptions): Promise<Compaction>;
  close(): Promise<void>;
}

export interface StoredParts {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
}

/** The snapshot and log entries as one update holding all of them. */
export function foldParts({ snapshot, updates }: StoredParts, { gc }: CompactOptions): Uint8Array {
  if (!gc) return mergeAll(snapshot, updates) ?? new Uint8Array([0, 0]);
  const doc = new Y.Doc();
  doc.transact(() => {
    if (snapshot) Y.applyUpdate(doc, snapshot);
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  const out = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return out;
}

/** Called between the steps of a compaction (progress reports; tests stop it there). */
export interface CompactionSteps {
  read?(parts: { seq: number; entries: number }): void;
  folded?(snapshot: Uint8Array): void;
}

/** Step by step, so a worker and the inline path do exactly the same. */
export function compactStored(
  store: DocStore,
  workspaceId: string,
  room: string,
  opts: CompactOptions,
  steps: CompactionSteps = {}
): Compaction {
  // One read transaction: a snapshot and the log after it, consistent with each other.
  const parts = store.transaction(() => store.parts(room));
  steps.read?.({ seq: parts.seq, entries: parts.updates.length });
  if (!parts.updates.length) return { upToSeq: parts.seq, entries: 0, bytes: 0 };
  const snapshot = foldParts(parts, opts);
  steps.folded?.(snapshot);
  store.compact(workspaceId, room, snapshot, parts.seq);
  return { upToSeq: parts.seq, entries: parts.updates.length, bytes: snapshot.byteLength };
}

/** Compacts on the calling thread: for stores a second connection cannot open (in-memory). */
export function inlineCompactor(store: DocStore): Compactor {
  return {
    compact: async (workspaceId, room, opts) => compactStored(store, workspaceId, room, opts),
    close: async () => {}
  };
}

/** Messages between WorkerCompactor and compaction-job.ts. */
export interface CompactRequest {
  id: number;
  workspaceId: string;
  room: string;
  gc: boolean;
}
export type CompactReply =
  | { id: number; step: 'read'; seq: number; entries: number }
  | { id: number; ok: true; result: Compaction }
  | { id: number; ok: false; error: string };

interface Job {
  room: string;
  resolve(c: Compaction): void;
  reject(err: Error): void;
}

/**
 * Compacts in a worker thread with its own connection to the same SQLite file (WAL: it reads
 * and writes alongside the relay's connection), so merging a large document never stalls the
 * event loop. One worker, started on first use and restarted if it dies; jobs queue in it.
 */
export class WorkerCompactor implements Compactor {
  private worker: Worker | null = null;
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private closed = false;

  /**
   * The worker starts with the first compaction (not with the server: it would compete with the
   * first joins for the CPU). `onStep` hears each job's progress ('read': the log was read,
   * nothing written yet).
   */
  constructor(
    private readonly file: string,
    private readonly onStep?: (room: string, step: 'read', worker: Worker) => void
  ) {}

  compact(workspaceId: string, room: string, opts: CompactOptions): Promise<Compaction> {
    if (this.closed) return Promise.reject(new Error('compactor closed'));
    const worker = this.start();
    const id = this.nextId++;
    const req: CompactRequest = { id, workspaceId, room, gc: opts.gc };
    return new Promise<Compaction>((resolve, reject) => {
      this.jobs.set(id, { room, resolve, reject });
      worker.ref();
      worker.postMessage(req);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    // A plain .mjs entry that loads the TypeScript job through tsx: the same under `tsx`,
    // `node --import tsx` and vitest.
    const worker = new Worker(new URL('./compaction-worker.mjs', import.meta.url), {
      workerData: { file: this.file }
    });
    worker.unref();
    worker.on('message', (msg: CompactReply) => {
      const job = this.jobs.get(msg.id);
      if (!job) return;
      if ('step' in msg) return this.onStep?.(job.room, msg.step, worker);
      this.jobs.delete(msg.id);
      if (!this.jobs.size) worker.unref();
      if (msg.ok) job.resolve(msg.result);
      else job.reject(new Error(msg.error));
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      const jobs = [...this.jobs.values()];
      this.jobs.clear();
      for (const j of jobs) j.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`compaction worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (worker) await worker.terminate();
  }
}

/** A worker for a database file, inline for an in-memory database. */
export function compactorFor(db: Db, store: DocStore): Compactor {
  return db.memory ? inlineCompactor(store) : new WorkerCompactor(db.name);
}
