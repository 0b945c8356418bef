import type { ServerKind } from './messages.ts';
import type { Noise } from './procs.ts';
import {
  CLIENT_BUSY_CPU,
  SATURATION_P99_MS,
  type ColdJoinRow,
  type ConnectRow,
  type FanoutRow,
  type SaturationRow
} from './workloads.ts';

export type Row = FanoutRow | SaturationRow | ConnectRow | ColdJoinRow;
/** Ratios are ours (and y-websocket-server's) over this server's, from the same run. */
const BASELINE: ServerKind = 'hocuspocus';

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));
const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const mib = (kib: number) => (kib / 1024).toFixed(0);
/** A process that waited for its core more than this share of the time was slowed by others. */
export const NOISY = 0.1;
const noisy = (n: Noise) => n.serverWait > NOISY || n.clientWait > NOISY;
const noise = (n: Noise) => `${pct(n.serverWait)}/${pct(n.clientWait)}${noisy(n) ? ' !' : ''}`;
const worst = (ns: Noise[]) =>
  ns.reduce(
    (a, b) => ({ serverWait: Math.max(a.serverWait, b.serverWait), clientWait: Math.max(a.clientWait, b.clientWait) }),
    {
      serverWait: 0,
      clientWait: 0
    }
  );

function ratio(rows: Row[], row: Row, value: (r: Row) => number | null, same: (a: Row, b: Row) => boolean): string {
  const base = rows.find((r) => r.server === BASELINE && r.workload === row.workload && same(r, row));
  const a = value(row);
  const b = base ? value(base) : null;
  if (a === null || b === null || !b) return '–';
  return `${(a / b).toFixed(2)}×`;
}

function table(title: string, head: string[], rows: string[][]) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export function printReport(rows: Row[]) {
  const fan = rows.filter((r): r is FanoutRow => r.workload === 'fanout');
  if (fan.length) {
    const sameTopo = (a: Row, b: Row) => (a as FanoutRow).topology === (b as FanoutRow).topology;
    table(
      'Fan-out (latency: writer send → other clients of its room; ms)',
      [
        'rooms×clients',
        'server',
        'upd/s',
        'p50',
        'p95',
        'p99',
        'max',
        'delivered',
        'missing',
        'converged',
        'CPU µs/upd',
        'CPU ×HP',
        'srv CPU',
        'srv disk wait',
        'peak RSS MiB',
        'KiB/room',
        'client CPU',
        'p95 ×HP',
        'noise'
      ],
      fan.map((r) => [
        r.topology,
        r.server,
        r.step.offeredRate.toFixed(0),
        ms(r.step.latencyMs.p50),
        ms(r.step.latencyMs.p95),
        ms(r.step.latencyMs.p99),
        ms(r.step.latencyMs.max),
        `${r.step.delivered}/${r.step.expected}`,
        String(r.verify.missing),
        r.verify.roomsDiverged ? `NO (${r.verify.roomsDiverged} rooms)` : 'yes',
        (r.serverCpuMsPerUpdate * 1000).toFixed(1),
        ratio(rows, r, (x) => (x as FanoutRow).serverCpuMsPerUpdate, sameTopo),
        pct(r.serverCpuShare),
        pct(r.serverIoBlocked),
        mib(r.peakRssKiB),
        r.rssPerRoomKiB.toFixed(0),
        pct(r.step.clientCpu) + (r.step.clientCpu >= CLIENT_BUSY_CPU ? ' BUSY' : ''),
        ratio(rows, r, (x) => (x as FanoutRow).step.latencyMs.p95, sameTopo),
        noise(r.noise)
      ])
    );
  }

  const sat = rows.filter((r): r is SaturationRow => r.workload === 'saturation');
  if (sat.length) {
    table(
      `Saturation (offered rate ×1.5 a step until p99 > ${SATURATION_P99_MS} ms or deliveries fall behind)`,
      [
        'rooms×clients',
        'server',
        'max upd/s',
        'deliveries/s',
        '×HP',
        'stopped by',
        'limited by',
        'srv CPU/disk wait/client CPU',
        'missing',
        'converged',
        'SIGKILL: confirmed',
        'lost',
        'unconfirmed kept',
        'noise'
      ],
      sat.map((r) => {
        const failed = r.steps.find((s) => !s.pass && !s.retried) ?? r.steps[r.steps.length - 1];
        return [
          r.topology,
          r.server,
          r.maxSustained ? String(r.maxSustained.rate) : '< first step',
          r.maxSustained ? String(r.maxSustained.deliveriesPerSec) : '–',
          ratio(
            rows,
            r,
            (x) => (x as SaturationRow).maxSustained?.deliveriesPerSec ?? null,
            () => true
          ),
          r.stoppedBy,
          r.limitedBy,
          failed ? `${pct(failed.serverCpu)}/${pct(failed.serverIoBlocked)}/${pct(failed.clientCpu)}` : '–',
          String(r.verify.missing),
          r.verify.roomsDiverged ? `NO (${r.verify.roomsDiverged} rooms)` : 'yes',
          String(r.kill.recheck.confirmed),
          String(r.kill.recheck.lost),
          `${r.kill.recheck.unconfirmedKept}/${r.kill.recheck.unconfirmed}`,
          noise(worst(r.steps.map((x) => x.noise)))
        ];
      })
    );
    for (const r of sat) {
      console.log(
        `  ${r.server} steps: ` +
          r.steps
            .map(
              (s) =>
                `${s.rate}/s p99 ${ms(s.latencyMs.p99)} srv ${pct(s.serverCpu)} disk ${pct(s.serverIoBlocked)} cli ${pct(s.clientCpu)}` +
                (s.pass ? '' : s.retried ? ' ✗ (run again)' : ' ✗')
            )
            .join(' · ')
      );
    }
    if (sat.some((r) => r.limitedBy === 'client' || r.limitedBy === 'both'))
      console.log(
        '  "client"/"both": the client process was saturated, so the server can do at least that much (a lower bound).'
      );
  }

  const con = rows.filter((r): r is ConnectRow => r.workload === 'connect');
  if (con.length) {
    table(
      'Connect + sync (each client to its own empty room, all opened at once; ms from the first connect)',
      ['clients', 'server', 'all synced', '×HP', 'p50', 'p95', 'p99', 'srv CPU ms', 'peak RSS MiB', 'noise'],
      con.map((r) => [
        String(r.clients),
        r.server,
        ms(r.allSyncedMs),
        ratio(
          rows,
          r,
          (x) => (x as ConnectRow).allSyncedMs,
          () => true
        ),
        ms(r.perClientMs.p50),
        ms(r.perClientMs.p95),
        ms(r.perClientMs.p99),
        r.serverCpuMs.toFixed(0),
        mib(r.peakRssKiB),
        noise(r.noise)
      ])
    );
  }

  const cold = rows.filter((r): r is ColdJoinRow => r.workload === 'coldjoin');
  if (cold.length) {
    table(
      'Cold join (server restarted on its stored data, one new client; ms from connect)',
      [
        'incidents',
        'server',
        'server reply',
        'synced median',
        'synced max',
        'all content median',
        '×HP',
        'partial first sync',
        'client apply',
        'stored MiB',
        'doc MiB',
        'noise'
      ],
      cold.map((r) => [
        String(r.seed.incidents),
        r.server,
        r.replyMedianMs === null ? 'none' : ms(r.replyMedianMs),
        ms(r.syncedMedianMs),
        ms(r.syncedMaxMs),
        r.fullMedianMs === null ? 'NEVER' : ms(r.fullMedianMs),
        // On the time to the whole document: a fast but empty `synced` is no win.
        ratio(
          rows,
          r,
          (x) => (x as ColdJoinRow).fullMedianMs,
          () => true
        ),
        `${r.partialFirstSyncs}/${r.runs.length}`,
        ms(r.clientApplyMedianMs),
        (r.storedBytes / 2 ** 20).toFixed(1),
        (r.seed.updateBytes / 2 ** 20).toFixed(1),
        noise(r.noise)
      ])
    );
  }
  const suspect = rows.filter((r) => noisy(r.workload === 'saturation' ? worst(r.steps.map((x) => x.noise)) : r.noise));
  console.log(
    `\nnoise = share of the time the server/client process was ready to run but waited for its core.` +
      (suspect.length ? ` ${suspect.length} row(s) marked "!" (> ${pct(NOISY)}): rerun them on a quiet machine.` : '')
  );
  printTargets(rows);
}

interface Check {
  target: string;
  value: string;
  pass: boolean | null;
}

/** The targets of our relay against the peers, from this run only. */
function printTargets(rows: Row[]) {
  const ours = (w: Row['workload'], f: (r: Row) => boolean = () => true) =>
    rows.find((r) => r.server === 'firebreak' && r.workload === w && f(r));
  const peer = (s: ServerKind, w: Row['workload'], f: (r: Row) => boolean = () => true) =>
    rows.find((r) => r.server === s && r.workload === w && f(r));
  const checks: Check[] = [];
  const is200x2 = (r: Row) => (r as FanoutRow).topology === '200×2';
  const f = ours('fanout', is200x2) as FanoutRow | undefined;
  const fh = peer('hocuspocus', 'fanout', is200x2) as FanoutRow | undefined;
  if (f) {
    checks.push({
      target: '200×2 p95 ≤ 2 ms',
      value: `${ms(f.step.latencyMs.p95)} ms`,
      pass: f.step.latencyMs.p95 <= 2
    });
    checks.push({
      target: '200×2 missing updates = 0, converged',
      value: `${f.verify.missing} missing, ${f.verify.roomsDiverged} rooms diverged`,
      pass: f.verify.missing === 0 && f.verify.roomsDiverged === 0
    });
    if (fh) {
      const x = f.serverCpuMsPerUpdate / fh.serverCpuMsPerUpdate;
      checks.push({ target: '200×2 server CPU ≤ 0.5× Hocuspocus', value: `${x.toFixed(2)}×`, pass: x <= 0.5 });
    }
  }
  const s = ours('saturation') as SaturationRow | undefined;
  if (s) {
    const mine = s.maxSustained?.deliveriesPerSec ?? 0;
    const hp = peer('hocuspocus', 'saturation') as SaturationRow | undefined;
    const yw = peer('y-websocket', 'saturation') as SaturationRow | undefined;
    const note = s.limitedBy === 'client' || s.limitedBy === 'both' ? ' (client-bound: a lower bound)' : '';
    if (hp) {
      const x = mine / (hp.maxSustained?.deliveriesPerSec || NaN);
      checks.push({ target: 'saturation ≥ 2× Hocuspocus', value: `${x.toFixed(2)}×${note}`, pass: x >= 2 });
    }
    if (yw) {
      const x = mine / (yw.maxSustained?.deliveriesPerSec || NaN);
      checks.push({ target: 'saturation ≥ y-websocket-server', value: `${x.toFixed(2)}×${note}`, pass: x >= 1 });
    }
    checks.push({
      target: 'SIGKILL during saturation: 0 confirmed updates lost',
      value: `${s.kill.recheck.lost} of ${s.kill.recheck.confirmed}`,
      pass: s.kill.recheck.lost === 0
    });
  }
  const c = ours('connect') as ConnectRow | undefined;
  const ch = peer('hocuspocus', 'connect') as ConnectRow | undefined;
  if (c && ch) {
    const x = c.allSyncedMs / ch.allSyncedMs;
    checks.push({
      target: `connect + sync of ${c.clients} ≤ 0.5× Hocuspocus`,
      value: `${x.toFixed(2)}×`,
      pass: x <= 0.5
    });
  }
  const j = ours('coldjoin') as ColdJoinRow | undefined;
  if (j) {
    checks.push({
      target: `cold join of ${j.seed.incidents} incidents ≤ 300 ms`,
      value:
        j.fullMedianMs === null
          ? 'never complete'
          : `${ms(j.fullMedianMs)} ms median, ${ms(Math.max(...j.runs.map((r) => r.fullMs ?? Infinity)))} max`,
      pass: j.fullMedianMs !== null && j.fullMedianMs <= 300
    });
    checks.push({
      target: `cold join: server's full reply ≤ 300 ms (before client apply)`,
      value: j.replyMedianMs === null ? 'none' : `${ms(j.replyMedianMs)} ms median`,
      pass: j.replyMedianMs !== null && j.replyMedianMs <= 300
    });
    checks.push({
      target: 'cold join: never a partial first synced',
      value: `${j.partialFirstSyncs} of ${j.runs.length}`,
      pass: j.partialFirstSyncs === 0
    });
  }
  if (!checks.length) return;
  table(
    'Targets (firebreak)',
    ['target', 'value', 'result'],
    checks.map((k) => [k.target, k.value, k.pass === null ? '–' : k.pass ? 'ok' : 'MISSED'])
  );
}
