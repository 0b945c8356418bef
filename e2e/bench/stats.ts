export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function summary(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { runs: s.length, median: median(s), min: s[0]!, max: s[s.length - 1]! };
}

export interface BenchResult {
  name: string;
  target: string;
  unit: 'ms' | 'KB';
  runs: number;
  median: number;
  min: number;
  max: number;
  pass: boolean;
  note?: string;
}

export function report(results: BenchResult[]) {
  const rows = results.map((r) => [
    r.name,
    `${r.median.toFixed(1)} ${r.unit}`,
    `${r.min.toFixed(1)}–${r.max.toFixed(1)} ${r.unit}`,
    String(r.runs),
    r.target,
    r.pass ? 'ok' : 'MISSED'
  ]);
  const head = ['benchmark', 'median', 'range', 'runs', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log('\n' + line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const r of results) if (r.note) console.log(`  ${r.name}: ${r.note}`);
}
