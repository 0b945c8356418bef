import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClientEnvelope, ClientRequest, ClientResponse, ServerKind } from './messages.ts';

const BENCH_DIR = path.resolve(import.meta.dirname, '..');
const SERVER_SCRIPTS: Record<ServerKind, string> = {
  firebreak: 'servers/firebreak.ts',
  hocuspocus: 'servers/hocuspocus.ts',
  'y-websocket': 'servers/y-websocket.ts'
};
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;
/** Server on core 0, clients on core 1: each gets a core, neither steals from the other. */
export const SERVER_CORE = 0;
export const CLIENT_CORE = 1;

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['--version'], { stdio: 'ignore' });
    return os.availableParallelism() >= 2;
  } catch {
    return false;
  }
}
export const PINNED = hasTaskset();
const HAS_SETSID = (() => {
  try {
    execFileSync('setsid', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/**
 * Bench processes run in their own session with this autogroup nice, so other work on a shared
 * machine (tests of other checkouts) does not preempt them. Linux shares CPU between sessions'
 * autogroups first, so a process's own nice alone would not help. Needs root; else noted.
 */
const AUTOGROUP_NICE = Number(process.env.BENCH_AUTOGROUP_NICE ?? -19);
export let prioritized = HAS_SETSID;

/** Raises the bench process's session above the rest of the machine, where allowed. */
function prioritize(pid: number) {
  if (!HAS_SETSID) return;
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(AUTOGROUP_NICE));
  } catch {
    prioritized = false;
  }
}

/** Clock ticks per second of /proc/<pid>/stat's utime and stime. */
const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** `node --import tsx <script>` in this very process (no tsx wrapper process), pinned if we can. */
function spawnNode(script: string, core: number, env: NodeJS.ProcessEnv, stdout: 'inherit' | 'ignore'): ChildProcess {
  // BENCH_NODE_FLAGS (e.g. "--cpu-prof"): to profile a server or the clients, never for numbers.
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const args = [...flags, '--import', 'tsx', script];
  const pinned = PINNED ? ['taskset', '-c', String(core)] : [];
  const [cmd, ...argv] = [...(HAS_SETSID ? ['setsid'] : []), ...pinned, process.execPath, ...args];
  return spawn(cmd!, argv, {
    cwd: BENCH_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'inherit', 'ipc']
  });
}

function exited(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => proc.once('exit', () => resolve()));
}

export interface ProcStats {
  /** User + system CPU of every thread of the process so far (ms). */
  cpuMs: number;
  rssKiB: number;
  peakRssKiB: number;
}

/** Read from /proc, so every server is measured the same way without its cooperation. */
export function procStats(pid: number): ProcStats {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { cpuMs: (ticks * 1000) / CLK_TCK, rssKiB: kib('VmRSS'), peakRssKiB: kib('VmHWM') };
}

/**
 * Time the main thread (the event loop) of `pid` spent runnable but waiting for a CPU so far
 * (ms), from schedstat. Its own helper threads (GC, libuv) on the same core count too.
 */
function runQueueWaitMs(pid: number): number {
  return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6;
}

export interface Sample {
  at: number;
  server: ProcStats;
  serverWaitMs: number;
  clientCpuMs: number;
  clientWaitMs: number;
}

/**
 * How much other work on this machine got in our way while we measured: the share of the wall
 * time the server (or the client process) was ready to run but waited for its core.
 */
export interface Noise {
  serverWait: number;
  clientWait: number;
}

/** How often the server's main thread state is looked at to see it blocked on disk. */
const STATE_POLL_MS = 5;

/**
 * Samples the server's main thread state until stopped: the share of samples in `D`
 * (uninterruptible sleep, i.e. waiting for the disk) says an event loop stalls on synchronous
 * I/O, which CPU figures do not show.
 */
export function watchIoBlocking(pid: number): () => number {
  let blocked = 0;
  let total = 0;
  const timer = setInterval(() => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
      total++;
      if (stat[stat.lastIndexOf(')') + 2] === 'D') blocked++;
    } catch {
      // The process is gone (killed on purpose in the durability check).
    }
  }, STATE_POLL_MS);
  return () => {
    clearInterval(timer);
    return total ? blocked / total : 0;
  };
}

export interface Phase {
  wallMs: number;
  serverCpuMs: number;
  clientCpuMs: number;
  noise: Noise;
  end: Sample;
}

/** Samples the server and the client process together, so phases are comparable. */
export function sample(server: ServerProcess, client: ClientProcess): Sample {
  return {
    at: Date.now(),
    server: server.stats(),
    serverWaitMs: runQueueWaitMs(server.pid),
    clientCpuMs: procStats(client.pid).cpuMs,
    clientWaitMs: runQueueWaitMs(client.pid)
  };
}

export function phase(a: Sample, b: Sample): Phase {
  const wallMs = Math.max(1, b.at - a.at);
  return {
    wallMs,
    serverCpuMs: b.server.cpuMs - a.server.cpuMs,
    clientCpuMs: b.clientCpuMs - a.clientCpuMs,
    noise: {
      serverWait: (b.serverWaitMs - a.serverWaitMs) / wallMs,
      clientWait: (b.clientWaitMs - a.clientWaitMs) / wallMs
    },
    end: b
  };
}

export interface ServerProcess {
  kind: ServerKind;
  pid: number;
  port: number;
  dataDir: string;
  stats(): ProcStats;
  /** SIGTERM: the server stores what it holds and exits. */
  stop(): Promise<void>;
  /** SIGKILL: the crash case. */
  kill(): Promise<void>;
}

export async function startServer(kind: ServerKind, dataDir: string): Promise<ServerProcess> {
  // A server's stdout is its banner (y-websocket-server prints one per start); errors go to stderr.
  const proc = spawnNode(SERVER_SCRIPTS[kind], SERVER_CORE, { BENCH_DATA_DIR: dataDir }, 'ignore');
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start`)), START_TIMEOUT_MS);
    proc.once('message', (m: { type?: string; port?: number }) => {
      clearTimeout(timer);
      if (m.type === 'ready' && typeof m.port === 'number') resolve(m.port);
      else reject(new Error(`${kind} sent ${JSON.stringify(m)}`));
    });
    proc.once('exit', (code, signal) => reject(new Error(`${kind} exited (${code ?? signal}) before it was ready`)));
  });
  const pid = proc.pid!;
  // Only now is it surely in its own session (setsid has exec'd into node).
  prioritize(pid);
  return {
    kind,
    pid,
    port,
    dataDir,
    stats: () => procStats(pid),
    async stop() {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited(proc);
      clearTimeout(timer);
    },
    async kill() {
      proc.kill('SIGKILL');
      await exited(proc);
    }
  };
}

export function freshDataDir(kind: ServerKind): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `relay-bench-${kind}-`));
}

export interface ClientProcess {
  pid: number;
  call<T>(req: ClientRequest): Promise<T>;
  close(): Promise<void>;
}

export async function startClient(): Promise<ClientProcess> {
  const proc = spawnNode('client/main.ts', CLIENT_CORE, {}, 'inherit');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('client process did not start')), START_TIMEOUT_MS);
    proc.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  prioritize(proc.pid!);
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  proc.on('message', (res: ClientResponse) => {
    const p = pending.get(res.id);
    if (!p) return;
    pending.delete(res.id);
    if (res.ok) p.resolve(res.result);
    else p.reject(new Error(`client: ${res.error}`));
  });
  proc.on('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`client process exited (${code ?? signal})`));
    pending.clear();
  });
  return {
    pid: proc.pid!,
    call<T>(req: ClientRequest) {
      const id = nextId++;
      const env: ClientEnvelope = { id, req };
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        proc.send(env);
      });
    },
    async close() {
      proc.disconnect();
      const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited(proc);
      clearTimeout(timer);
    }
  };
}
