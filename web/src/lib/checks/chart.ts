import type { CheckResult } from '@firebreak/shared';
import { outcomeKey, outcomeLabel } from './list.ts';
import { absoluteTime, formatValue } from '../format/time.ts';

export interface ChartPoint {
  id: string;
  x: number;
  y: number | null;
  outcome: ReturnType<typeof outcomeKey>;
  label: string;
}

export interface ChartModel {
  points: ChartPoint[];
  /** SVG path through the points that have a value. */
  line: string;
  yTicks: Array<{ y: number; value: number }>;
  xLabels: Array<{ x: number; at: string }>;
}

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Lays out a value-over-time chart: time on x, value on y, outcomes kept for colouring. */
export function chartModel(results: readonly CheckResult[], box: ChartBox): ChartModel {
  const times = results.map((r) => Date.parse(r.dataTimestamp));
  const values = results.map((r) => r.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  if (t0 === t1) {
    t0 -= 3_600_000;
    t1 += 3_600_000;
  }
  let v0 = values.length ? Math.min(...values) : 0;
  let v1 = values.length ? Math.max(...values) : 1;
  if (v0 === v1) {
    v0 -= Math.abs(v0) * 0.5 || 1;
    v1 += Math.abs(v1) * 0.5 || 1;
  }
  const pad = (v1 - v0) * 0.1;
  v0 -= pad;
  v1 += pad;
  // Counts never go below zero; don't draw an axis that suggests they could.
  if (values.length && Math.min(...values) >= 0 && v0 < 0) v0 = 0;

  const plotW = Math.max(1, box.width - box.left - box.right);
  const plotH = Math.max(1, box.height - box.top - box.bottom);
  const sx = (t: number) => box.left + ((t - t0) / (t1 - t0)) * plotW;
  const sy = (v: number) => box.top + (1 - (v - v0) / (v1 - v0)) * plotH;

  const points = results.map((r, i): ChartPoint => {
    const y = typeof r.value === 'number' && Number.isFinite(r.value) ? sy(r.value) : null;
    return {
      id: r.id,
      x: sx(times[i]),
      y,
      outcome: outcomeKey(r.outcome),
      label: `${absoluteTime(r.dataTimestamp)}: ${outcomeLabel(r.outcome)}, value ${formatValue(r.value)}`
    };
  });
  const line = points
    .filter((p) => p.y !== null)
    .map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y!.toFixed(1)}`)
    .join('');
  const yTicks = [0, 0.5, 1].map((f) => {
    const value = v0 + (v1 - v0) * f;
    return { y: sy(value), value };
  });
  const xLabels = results.length
    ? [
        { x: sx(times[0]), at: results[0].dataTimestamp },
        ...(results.length > 1
          ? [{ x: sx(times[times.length - 1]), at: results[results.length - 1].dataTimestamp }]
          : [])
      ]
    : [];
  return { points, line, yTicks, xLabels };
}

/** The chart's text alternative. */
export function chartSummary(checkName: string, results: readonly CheckResult[]): string {
  if (!results.length) return `No results of ${checkName} yet.`;
  const counts = { pass: 0, warn: 0, fail: 0, error: 0 };
  for (const r of results) counts[outcomeKey(r.outcome)]++;
  const last = results[results.length - 1];
  const values = results.map((r) => r.value).filter((v): v is number => typeof v === 'number');
  const parts = [
    `${results.length} ${results.length === 1 ? 'result' : 'results'} of ${checkName} from ${absoluteTime(results[0].dataTimestamp)} to ${absoluteTime(last.dataTimestamp)}.`,
    `Latest: ${outcomeLabel(last.outcome)}, value ${formatValue(last.value)}.`,
    `${counts.fail} failed, ${counts.warn} warned, ${counts.pass} passed${counts.error ? `, ${counts.error} not evaluated` : ''}.`
  ];
  if (values.length)
    parts.push(`Values ranged from ${formatValue(Math.min(...values))} to ${formatValue(Math.max(...values))}.`);
  return parts.join(' ');
}
