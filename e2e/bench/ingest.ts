import { parseSodaScan } from '@firebreak/shared';
import { bigScan } from '../../sync-server/src/demo/scans.ts';
import { ingest, startServer } from '../support/server.ts';
import { summary, type BenchResult } from './stats.ts';

const CHECKS = 10_000;
const RUNS = 5;

/** POST of a 10,000-check Soda file to the real server, end to end (HTTP, parse, SQLite, version bump). */
export async function benchIngest(): Promise<BenchResult[]> {
  const server = await startServer();
  try {
    const times: number[] = [];
    const parseTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < RUNS; i++) {
      const scan = bigScan(CHECKS, i + 1, new Date(Date.UTC(2026, 10, 1 + i))) as Record<string, unknown>;
      const body = JSON.stringify(scan);
      bytes = body.length;
      const p0 = performance.now();
      const parsed = parseSodaScan(JSON.parse(body));
      parseTimes.push(performance.now() - p0);
      if (!parsed.ok) throw new Error('bench scan does not parse');
      const t0 = performance.now();
      const res = await ingest(server, scan);
      times.push(performance.now() - t0);
      if ((res as { stored: number }).stored !== CHECKS) throw new Error(`stored ${JSON.stringify(res)}`);
    }
    const all = summary(times);
    return [
      {
        name: `ingest ${CHECKS.toLocaleString('en')}-check scan (HTTP POST → stored)`,
        target: '< 1000 ms',
        unit: 'ms',
        ...all,
        pass: all.median < 1000,
        note: `${(bytes / 1024 / 1024).toFixed(1)} MiB body; first run creates the checks, later runs append history; zod parse alone median ${summary(parseTimes).median.toFixed(0)} ms`
      }
    ];
  } finally {
    await server.stop();
  }
}
