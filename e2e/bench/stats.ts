export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The nearest-rank percentile `p` (0–100) of `xs`. */
export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function summary(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { runs: s.length, median: median(s), min: s[0]!, max: s[s.length - 1]! };
}

/** summary() plus p95 and p99, for latencies measured many times. */
export function latencySummary(xs: number[]) {
  return { ...summary(xs), p95: percentile(xs, 95), p99: percentile(xs, 99) };
}

export interface BenchResult {
  name: string;
  target: string;
  /** `ms` for times; `/s` for a rate (median, min and max are then rates too); `KB` for sizes. */
  unit: 'ms' | '/s' | 'KB';
  runs: number;
  median: number;
  min: number;
  max: number;
  p95?: number;
  p99?: number;
  pass: boolean;
  note?: string;
}

export function report(results: BenchResult[]) {
  const fmt = (v: number | undefined, unit: BenchResult['unit']) =>
    v === undefined ? '' : unit === '/s' ? `${v.toFixed(0)}/s` : `${v.toFixed(1)} ${unit}`;
  const range = (r: BenchResult) =>
    r.unit === '/s' ? `${r.min.toFixed(0)}–${r.max.toFixed(0)}/s` : `${r.min.toFixed(1)}–${r.max.toFixed(1)} ${r.unit}`;
  const rows = results.map((r) => [
    r.name,
    fmt(r.median, r.unit),
    fmt(r.p95, r.unit),
    fmt(r.p99, r.unit),
    range(r),
    String(r.runs),
    r.target,
    r.pass ? 'ok' : 'MISSED'
  ]);
  const head = ['benchmark', 'median', 'p95', 'p99', 'range', 'runs', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log('\n' + line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const r of results) if (r.note) console.log(`  ${r.name}: ${r.note}`);
}
