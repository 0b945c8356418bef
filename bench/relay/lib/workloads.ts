import fs from 'node:fs';
import type {
  AbandonResult,
  ConnectResult,
  JoinResult,
  RecheckResult,
  SeedResult,
  ServerKind,
  StepResult,
  Target,
  VerifyResult
} from './messages.ts';
import {
  freshDataDir,
  phase,
  sample,
  startClient,
  watchIoBlocking,
  startServer,
  type ClientProcess,
  type Noise,
  type ServerProcess
} from './procs.ts';
import { median } from './stats.ts';

export interface Settings {
  quick: boolean;
  /** Updates per second each client writes in the fan-out runs. */
  ratePerClient: number;
  fanoutMs: number;
  /** Unmeasured writing first, at the measured rate, so JIT and buffers are warm for every server. */
  warmupMs: number;
  stepMs: number;
  coldJoinRuns: number;
  incidents: number;
  connectClients: number;
  saturationTopology: Topology;
}

export interface Topology {
  rooms: number;
  perRoom: number;
}

export const topologyName = (t: Topology) => `${t.rooms}×${t.perRoom}`;

/** A saturation step fails past this p99 (ms). */
export const SATURATION_P99_MS = 100;
/** Every delivery of a step must have arrived this long after it ends, or the server fell behind. */
const DRAIN_MS = 1_000;
/** Offered rates of the saturation steps: from here, ×1.5 a step. */
const SATURATION_START_RATE = 500;
const SATURATION_FACTOR = 1.5;
const SATURATION_MAX_STEPS = 16;
/** A client process this busy (share of its core), or lagging this much, distorts what it measures. */
export const CLIENT_BUSY_CPU = 0.9;
export const CLIENT_BUSY_LAG_MS = 50;
export const SERVER_BUSY_CPU = 0.9;
/** A server whose event loop waits on the disk this much of the time is limited by it. */
export const SERVER_BUSY_IO = 0.2;
/** The client must send at least this share of the asked rate, or it is the bottleneck. */
const OFFERED_SHORTFALL = 0.95;
/** How long the saturation writers keep going before the server is SIGKILLed. */
const KILL_AFTER_MS = 3_000;
/** Time a server may take after restart to show stored updates (y-websocket-server loads late). */
const RECHECK_WAIT_MS = 15_000;
const VERIFY_WAIT_MS = 30_000;
/** Pause after the seed clients leave, so debounced stores (Hocuspocus) have run before SIGTERM. */
const SEED_SETTLE_MS = 2_500;
const JOIN_WAIT_MS = 60_000;
const COLD_ROOM = 'cold-join';

/** One server process and one client process for the duration of `fn`, both cleaned up after. */
async function session<T>(
  kind: ServerKind,
  fn: (server: ServerProcess, client: ClientProcess, target: Target) => Promise<T>
): Promise<T> {
  const dataDir = freshDataDir(kind);
  const server = await startServer(kind, dataDir);
  const client = await startClient();
  try {
    return await fn(server, client, { kind, port: server.port });
  } finally {
    await client.close();
    await server.kill().catch(() => {});
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface FanoutRow {
  workload: 'fanout';
  server: ServerKind;
  topology: string;
  rooms: number;
  perRoom: number;
  ratePerClient: number;
  step: StepResult;
  verify: VerifyResult;
  /** Server CPU over the write phase (writes + drain), all threads. */
  serverCpuMs: number;
  serverCpuMsPerUpdate: number;
  serverCpuShare: number;
  peakRssKiB: number;
  rssPerRoomKiB: number;
  /** Share of the write phase the server's event loop was blocked on the disk. */
  serverIoBlocked: number;
  noise: Noise;
}

export function fanout(kind: ServerKind, topology: Topology, s: Settings): Promise<FanoutRow> {
  return session(kind, async (server, client, target) => {
    const idle = server.stats();
    await client.call({ op: 'fanout.open', target, ...topology });
    const rate = s.ratePerClient * topology.rooms * topology.perRoom;
    await client.call({ op: 'fanout.step', rate, durationMs: s.warmupMs, drainMs: DRAIN_MS });
    const before = sample(server, client);
    const io = watchIoBlocking(server.pid);
    const step = await client.call<StepResult>({ op: 'fanout.step', rate, durationMs: s.fanoutMs, drainMs: DRAIN_MS });
    const serverIoBlocked = io();
    const write = phase(before, sample(server, client));
    const verify = await client.call<VerifyResult>({ op: 'fanout.verify', waitMs: VERIFY_WAIT_MS });
    const end = server.stats();
    const serverCpuMs = write.serverCpuMs;
    return {
      workload: 'fanout',
      server: kind,
      topology: topologyName(topology),
      ...topology,
      ratePerClient: s.ratePerClient,
      step,
      verify,
      serverCpuMs,
      serverCpuMsPerUpdate: serverCpuMs / Math.max(1, step.offered),
      serverCpuShare: serverCpuMs / write.wallMs,
      peakRssKiB: end.peakRssKiB,
      rssPerRoomKiB: (end.rssKiB - idle.rssKiB) / topology.rooms,
      serverIoBlocked,
      noise: write.noise
    };
  });
}

export interface SaturationStep extends StepResult {
  serverCpu: number;
  serverIoBlocked: number;
  noise: Noise;
  pass: boolean;
  /** Why the step failed. */
  failure: string | null;
  clientBusy: boolean;
  serverBusy: boolean;
  /** A failed attempt that was run once more (the next entry is the retry). */
  retried?: boolean;
}

export interface SaturationRow {
  workload: 'saturation';
  server: ServerKind;
  topology: string;
  steps: SaturationStep[];
  /** The highest passing step, null if even the first failed. */
  maxSustained: { rate: number; deliveriesPerSec: number } | null;
  /** What stopped the stepping, and which process was saturated at that point. */
  stoppedBy: string;
  limitedBy: 'server' | 'server (disk)' | 'client' | 'both' | 'neither saturated' | 'not reached';
  verify: VerifyResult;
  kill: { rate: number; abandon: AbandonResult; recheck: RecheckResult };
}

export function saturation(kind: ServerKind, s: Settings): Promise<SaturationRow> {
  const topology = s.saturationTopology;
  const dataDir = freshDataDir(kind);
  return (async () => {
    let server = await startServer(kind, dataDir);
    const client = await startClient();
    try {
      await client.call({ op: 'fanout.open', target: { kind, port: server.port }, ...topology });
      const steps: SaturationStep[] = [];
      let rate = SATURATION_START_RATE;
      await client.call({ op: 'fanout.step', rate, durationMs: s.warmupMs, drainMs: DRAIN_MS });
      const runStep = async (): Promise<SaturationStep> => {
        const before = sample(server, client);
        const io = watchIoBlocking(server.pid);
        const step = await client.call<StepResult>({
          op: 'fanout.step',
          rate,
          durationMs: s.stepMs,
          drainMs: DRAIN_MS
        });
        const serverIoBlocked = io();
        const measured = phase(before, sample(server, client));
        const serverCpu = measured.serverCpuMs / measured.wallMs;
        const failure =
          step.latencyMs.p99 > SATURATION_P99_MS
            ? `p99 ${step.latencyMs.p99.toFixed(0)} ms`
            : step.delivered < step.expected
              ? `behind (${step.delivered}/${step.expected} delivered)`
              : step.offeredRate < rate * OFFERED_SHORTFALL
                ? `client sent only ${step.offeredRate.toFixed(0)}/s`
                : null;
        const clientBusy =
          step.clientCpu >= CLIENT_BUSY_CPU ||
          step.clientLoopLagMs > CLIENT_BUSY_LAG_MS ||
          step.offeredRate < rate * OFFERED_SHORTFALL;
        return {
          ...step,
          serverCpu,
          serverIoBlocked,
          noise: measured.noise,
          pass: failure === null,
          failure,
          clientBusy,
          serverBusy: serverCpu >= SERVER_BUSY_CPU || serverIoBlocked >= SERVER_BUSY_IO
        };
      };
      for (let i = 0; i < SATURATION_MAX_STEPS; i++, rate = Math.round(rate * SATURATION_FACTOR)) {
        let step = await runStep();
        // One hiccup (a GC pause, a neighbour's burst) must not end the search: a failed step
        // is run once more, and only a second failure stops it.
        if (!step.pass) {
          steps.push({ ...step, retried: true });
          step = await runStep();
        }
        steps.push(step);
        if (!step.pass) break;
      }
      const passed = steps.filter((x) => x.pass);
      const last = passed[passed.length - 1];
      const failed = steps.find((x) => !x.pass && !x.retried);
      const verify = await client.call<VerifyResult>({ op: 'fanout.verify', waitMs: VERIFY_WAIT_MS });

      // Crash in the middle of writing at the highest sustained rate, then ask fresh clients.
      const killRate = last?.rate ?? SATURATION_START_RATE;
      await client.call({ op: 'fanout.startWriting', rate: killRate });
      await new Promise((r) => setTimeout(r, KILL_AFTER_MS));
      await server.kill();
      const abandon = await client.call<AbandonResult>({ op: 'fanout.abandon' });
      server = await startServer(kind, dataDir);
      const recheck = await client.call<RecheckResult>({
        op: 'fanout.recheck',
        target: { kind, port: server.port },
        waitMs: RECHECK_WAIT_MS
      });
      return {
        workload: 'saturation' as const,
        server: kind,
        topology: topologyName(topology),
        steps,
        maxSustained: last ? { rate: last.rate, deliveriesPerSec: last.rate * (topology.perRoom - 1) } : null,
        stoppedBy: failed?.failure ?? `not reached (${steps.length} steps)`,
        limitedBy: !failed
          ? ('not reached' as const)
          : failed.clientBusy && failed.serverBusy
            ? ('both' as const)
            : failed.clientBusy
              ? ('client' as const)
              : failed.serverBusy
                ? failed.serverCpu >= SERVER_BUSY_CPU
                  ? ('server' as const)
                  : ('server (disk)' as const)
                : ('neither saturated' as const),
        verify,
        kill: { rate: killRate, abandon, recheck }
      };
    } finally {
      await client.close();
      await server.kill().catch(() => {});
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  })();
}

export interface ConnectRow extends ConnectResult {
  workload: 'connect';
  server: ServerKind;
  serverCpuMs: number;
  peakRssKiB: number;
  noise: Noise;
}

export function connect(kind: ServerKind, s: Settings): Promise<ConnectRow> {
  return session(kind, async (server, client, target) => {
    const before = sample(server, client);
    const res = await client.call<ConnectResult>({ op: 'connect', target, clients: s.connectClients });
    const measured = phase(before, sample(server, client));
    return {
      workload: 'connect',
      server: kind,
      ...res,
      serverCpuMs: measured.serverCpuMs,
      peakRssKiB: measured.end.server.peakRssKiB,
      noise: measured.noise
    };
  });
}

export interface ColdJoinRow {
  workload: 'coldjoin';
  server: ServerKind;
  seed: SeedResult;
  runs: JoinResult[];
  syncedMedianMs: number;
  syncedMaxMs: number;
  /** Connect → the server's first full-state frame arriving, before the client applies it. */
  replyMedianMs: number | null;
  fullMedianMs: number | null;
  /** Joins whose first `synced` came with fewer than all incidents. */
  partialFirstSyncs: number;
  clientApplyMedianMs: number;
  storedBytes: number;
  /** Worst interference seen over the joins. */
  noise: Noise;
}

export async function coldJoin(kind: ServerKind, s: Settings): Promise<ColdJoinRow> {
  const dataDir = freshDataDir(kind);
  const client = await startClient();
  try {
    let server = await startServer(kind, dataDir);
    const seed = await client.call<SeedResult>({
      op: 'coldjoin.seed',
      target: { kind, port: server.port },
      room: COLD_ROOM,
      incidents: s.incidents
    });
    await new Promise((r) => setTimeout(r, SEED_SETTLE_MS));
    await server.stop();
    const storedBytes = dirBytes(dataDir);
    const runs: JoinResult[] = [];
    const noise: Noise = { serverWait: 0, clientWait: 0 };
    for (let i = 0; i < s.coldJoinRuns; i++) {
      server = await startServer(kind, dataDir);
      const before = sample(server, client);
      runs.push(
        await client.call<JoinResult>({
          op: 'coldjoin.join',
          target: { kind, port: server.port },
          room: COLD_ROOM,
          incidents: s.incidents,
          waitMs: JOIN_WAIT_MS
        })
      );
      const measured = phase(before, sample(server, client));
      noise.serverWait = Math.max(noise.serverWait, measured.noise.serverWait);
      noise.clientWait = Math.max(noise.clientWait, measured.noise.clientWait);
      await server.stop();
    }
    const full = runs.map((r) => r.fullMs);
    return {
      workload: 'coldjoin',
      server: kind,
      seed,
      runs,
      syncedMedianMs: median(runs.map((r) => r.syncedMs)),
      syncedMaxMs: Math.max(...runs.map((r) => r.syncedMs)),
      replyMedianMs: runs.every((r) => r.replyMs !== null) ? median(runs.map((r) => r.replyMs!)) : null,
      fullMedianMs: full.every((x) => x !== null) ? median(full as number[]) : null,
      partialFirstSyncs: runs.filter((r) => r.incidentsAtSynced < s.incidents).length,
      clientApplyMedianMs: median(runs.map((r) => r.clientApplyMs)),
      storedBytes,
      noise
    };
  } finally {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) n += fs.statSync(`${e.parentPath}/${e.name}`).size;
  }
  return n;
}
