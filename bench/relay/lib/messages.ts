/** What the harness (run.ts) and the client process (client/main.ts) say to each other over IPC. */
import type { Percentiles } from './stats.ts';

export const SERVER_KINDS = ['firebreak', 'hocuspocus', 'y-websocket'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];

export interface Target {
  kind: ServerKind;
  port: number;
}

export type ClientRequest =
  | { op: 'fanout.open'; target: Target; rooms: number; perRoom: number }
  | { op: 'fanout.step'; rate: number; durationMs: number; drainMs: number }
  | { op: 'fanout.verify'; waitMs: number }
  | { op: 'fanout.startWriting'; rate: number }
  | { op: 'fanout.abandon' }
  | { op: 'fanout.recheck'; target: Target; waitMs: number }
  | { op: 'connect'; target: Target; clients: number }
  | { op: 'coldjoin.seed'; target: Target; room: string; incidents: number }
  | { op: 'coldjoin.join'; target: Target; room: string; incidents: number; waitMs: number };

export interface StepResult {
  /** Offered updates per second asked for, and what the client process managed to send. */
  rate: number;
  offered: number;
  offeredRate: number;
  /** Deliveries to the other clients of the writer's room (the writer's own echo is not counted). */
  expected: number;
  delivered: number;
  /** Deliveries during this step of updates sent in an earlier one (they missed its drain). */
  stragglers: number;
  latencyMs: Percentiles;
  /** Client process CPU over the step, as a fraction of one core. */
  clientCpu: number;
  /** Client event-loop delay p99 over the step (ms): a busy client delays its own timestamps. */
  clientLoopLagMs: number;
  wallMs: number;
}

export interface VerifyResult {
  /** Keys some replica lacks at the end although its room's writer wrote them. */
  missing: number;
  /** Rooms whose replicas ended with different state vectors. */
  roomsDiverged: number;
  written: number;
}

export interface AbandonResult {
  /** Updates some other client had received from the server before it was killed. */
  confirmed: number;
  written: number;
}

export interface RecheckResult {
  confirmed: number;
  /** Confirmed updates a fresh client did not find after the restart. */
  lost: number;
  /** Written but never confirmed updates that survived anyway (information). */
  unconfirmedKept: number;
  unconfirmed: number;
}

export interface ConnectResult {
  clients: number;
  /** From creating the first provider to the last `synced`. */
  allSyncedMs: number;
  perClientMs: Percentiles;
}

export interface SeedResult {
  incidents: number;
  updateBytes: number;
  ms: number;
}

export interface JoinResult {
  /** Connect → first `synced`. */
  syncedMs: number;
  /**
   * Connect → the server's first sync step 2 frame arrived (before the client applied it): the
   * server's time to answer, with loading the room from storage; null if none came.
   */
  replyMs: number | null;
  /** Size of that frame (a near-empty one is a "synced" before the content). */
  replyBytes: number;
  /** Incidents the document held at that first `synced` (anything short of all is a failure). */
  incidentsAtSynced: number;
  /** Connect → every incident present (equal to syncedMs unless the first sync was partial). */
  fullMs: number | null;
  /** Applying the whole document to an empty Y.Doc in the client process: a floor for any server. */
  clientApplyMs: number;
}

export type ClientResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
export interface ClientEnvelope {
  id: number;
  req: ClientRequest;
}
