/**
 * `pnpm bench:relay [fanout|saturation|connect|coldjoin ...] [--servers a,b] [--quick] [--rate N] [--out file]`
 *
 * Our relay, Hocuspocus (SQLite) and y-websocket-server (LevelDB) side by side: each server in its
 * own process on core 0, every client in one process on core 1, a fresh data folder per run.
 * Prints tables and writes the raw numbers as JSON. Read the README's "Relay benchmark" section.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SERVER_KINDS, type ServerKind } from './lib/messages.ts';
import { ensureNatives } from './lib/natives.ts';
import { PINNED, prioritized } from './lib/procs.ts';
import { printReport, type Row } from './lib/report.ts';
import { coldJoin, connect, fanout, saturation, type Settings, type Topology } from './lib/workloads.ts';

const WORKLOADS = ['fanout', 'saturation', 'connect', 'coldjoin'] as const;
type Workload = (typeof WORKLOADS)[number];
const FANOUT_TOPOLOGIES: Topology[] = [
  { rooms: 200, perRoom: 2 },
  { rooms: 50, perRoom: 4 }
];
const BENCH_DIR = import.meta.dirname;
const PEERS = [
  '@hocuspocus/server',
  '@hocuspocus/extension-sqlite',
  '@hocuspocus/provider',
  '@y/websocket-server',
  'y-websocket',
  'yjs'
];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    servers: { type: 'string' },
    quick: { type: 'boolean', default: false },
    rate: { type: 'string' },
    out: { type: 'string' }
  }
});

const workloads = (positionals.length ? positionals : WORKLOADS) as Workload[];
for (const w of workloads) if (!WORKLOADS.includes(w)) usage(`unknown workload ${w}`);
const servers = (values.servers?.split(',') ?? SERVER_KINDS) as ServerKind[];
for (const s of servers) if (!SERVER_KINDS.includes(s)) usage(`unknown server ${s}`);

const quick = values.quick!;
const settings: Settings = {
  quick,
  ratePerClient: values.rate ? Number(values.rate) : 5,
  fanoutMs: quick ? 3_000 : 10_000,
  warmupMs: quick ? 1_000 : 3_000,
  stepMs: quick ? 2_000 : 5_000,
  coldJoinRuns: quick ? 2 : 5,
  incidents: quick ? 2_000 : 10_000,
  connectClients: 400,
  saturationTopology: { rooms: 50, perRoom: 4 }
};

function usage(msg: string): never {
  console.error(
    `${msg}\nusage: pnpm bench:relay [${WORKLOADS.join('|')} ...] [--servers ${SERVER_KINDS.join(',')}] [--quick] [--rate N] [--out file]`
  );
  process.exit(2);
}

function version(name: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(BENCH_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

ensureNatives();
if (!PINNED) console.log('taskset or a second core is missing: server and clients are NOT pinned to separate cores.');
const started = new Date();
const rows: Row[] = [];
for (const w of workloads) {
  for (const kind of servers) {
    const t0 = Date.now();
    process.stdout.write(`${w} · ${kind}…`);
    if (w === 'fanout') for (const t of FANOUT_TOPOLOGIES) rows.push(await fanout(kind, t, settings));
    if (w === 'saturation') rows.push(await saturation(kind, settings));
    if (w === 'connect') rows.push(await connect(kind, settings));
    if (w === 'coldjoin') rows.push(await coldJoin(kind, settings));
    process.stdout.write(` ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  }
}
const durationMs = Date.now() - started.getTime();

printReport(rows);
const out = values.out ?? path.join(BENCH_DIR, 'results', `${started.toISOString().replace(/[:.]/g, '-')}.json`);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      startedAt: started.toISOString(),
      durationMs,
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        node: process.version,
        pinned: PINNED,
        prioritized,
        loadAverage: os.loadavg()
      },
      versions: Object.fromEntries(PEERS.map((p) => [p, version(p)])),
      settings,
      servers,
      rows
    },
    null,
    2
  ) + '\n'
);
console.log(
  `\n${workloads.join(', ')} in ${(durationMs / 1000).toFixed(0)} s; JSON in ${path.relative(process.cwd(), out)}`
);
