import { scaleLinear, scaleTime } from 'd3-scale';
import {
  bandLabel,
  durationStep,
  formatCheckValue,
  thresholdZones,
  type CheckResult,
  type ValueBand,
  type ValueUnit
} from '@firebreak/shared';
import { outcomeKey, outcomeLabel } from './list.ts';
import { absoluteTime } from '../format/time.ts';

export interface ChartPoint {
  id: string;
  x: number;
  y: number | null;
  outcome: ReturnType<typeof outcomeKey>;
  /** "May 2, 2024, 9:00 AM: Fail, 3 rows": the tooltip and the live readout. */
  label: string;
}

export interface ChartBand {
  kind: 'fail' | 'warn';
  /** Top and bottom in pixels, clipped to the plot. */
  y0: number;
  y1: number;
  /** "Fail when < 0" */
  label: string;
}

export interface ChartModel {
  points: ChartPoint[];
  /** SVG path through the points that have a value. */
  line: string;
  yTicks: Array<{ y: number; value: number; label: string }>;
  xTicks: Array<{ x: number; label: string }>;
  bands: ChartBand[];
}

export interface ChartBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The thresholds of a check's results: those of its latest result that has diagnostics. */
export function resultZones(results: readonly CheckResult[]) {
  for (let i = results.length - 1; i >= 0; i--)
    if (results[i].diagnostics) return thresholdZones(results[i].diagnostics);
  return { fail: [], warn: [] };
}

/** Lays out a value-over-time chart: time on x, value on y, outcomes kept for colouring, threshold bands behind. */
export function chartModel(results: readonly CheckResult[], box: ChartBox, unit: ValueUnit = 'number'): ChartModel {
  const times = results.map((r) => Date.parse(r.dataTimestamp));
  const values = results.map((r) => r.value).filter(finite);
  const zones = resultZones(results);
  let t0 = Math.min(...times);
  let t1 = Math.max(...times);
  if (!Number.isFinite(t0)) t0 = t1 = 0;
  if (t0 === t1) {
    t0 -= 3_600_000;
    t1 += 3_600_000;
  }
  // The value axis covers the values and the threshold edges, so a near miss shows its line.
  const edges = [...zones.fail, ...zones.warn].flatMap((b) => [b.min, b.max]).filter(finite);
  const all = [...values, ...edges];
  let v0 = all.length ? Math.min(...all) : 0;
  let v1 = all.length ? Math.max(...all) : 1;
  if (v0 === v1) {
    v0 -= Math.abs(v0) * 0.5 || 1;
    v1 += Math.abs(v1) * 0.5 || 1;
  }
  const pad = (v1 - v0) * 0.05;
  const nonNegative = !all.length || Math.min(...all) >= 0;
  v0 = nonNegative ? Math.max(0, v0 - pad) : v0 - pad;
  v1 += pad;

  const plotW = Math.max(1, box.width - box.left - box.right);
  const plotH = Math.max(1, box.height - box.top - box.bottom);
  const tickCount = Math.max(2, Math.min(6, Math.floor(plotH / 36)));
  // Durations tick in whole units (hours, days), not in thousands of milliseconds.
  const axisUnit = unit === 'duration' ? durationStep(Math.max(Math.abs(v0), Math.abs(v1))) : null;
  const step = axisUnit?.size ?? 1;
  const inUnits = scaleLinear()
    .domain([v0 / step, v1 / step])
    .nice(tickCount);
  const [n0, n1] = inUnits.domain();
  const sy = scaleLinear()
    .domain([n0 * step, n1 * step])
    .range([box.top + plotH, box.top]);
  const sx = scaleTime()
    .domain([t0, t1])
    .range([box.left, box.left + plotW]);

  const points = results.map((r, i): ChartPoint => {
    const y = finite(r.value) ? sy(r.value) : null;
    return {
      id: r.id,
      x: sx(times[i]),
      y,
      outcome: outcomeKey(r.outcome),
      label: `${absoluteTime(r.dataTimestamp)}: ${outcomeLabel(r.outcome)}, ${formatCheckValue(r.value, unit)}`
    };
  });
  const line = points
    .filter((p) => p.y !== null)
    .map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y!.toFixed(1)}`)
    .join('');
  const yTicks = inUnits.ticks(tickCount).map((u) => {
    const value = u * step;
    // Every tick of a duration axis in one unit ("22.8h" beside "1d" reads as a jump).
    const label =
      value === 0
        ? '0'
        : axisUnit
          ? `${Number(u.toPrecision(3))}${axisUnit.suffix}`
          : formatCheckValue(value, unit, { compact: true });
    return { y: sy(value), value, label };
  });
  const timeTicks = sx.ticks(Math.max(2, Math.min(8, Math.floor(plotW / 90))));
  const fmtTime = sx.tickFormat();
  const xTicks = timeTicks.map((t) => ({ x: sx(t), label: fmtTime(t) }));

  const top = box.top;
  const bottom = box.top + plotH;
  const fmt = (v: number) => formatCheckValue(v, unit);
  const band = (kind: 'fail' | 'warn', b: ValueBand): ChartBand => ({
    kind,
    y0: Math.max(top, Math.min(bottom, b.max === null ? top : sy(b.max))),
    y1: Math.max(top, Math.min(bottom, b.min === null ? bottom : sy(b.min))),
    label: `${kind === 'fail' ? 'Fail' : 'Warn'} when ${bandLabel(b, fmt)}`
  });
  const bands = [...zones.warn.map((b) => band('warn', b)), ...zones.fail.map((b) => band('fail', b))];
  return { points, line, yTicks, xTicks, bands };
}

/** The point nearest to an x position (pointer hover), by index. */
export function nearestPoint(points: readonly ChartPoint[], x: number): number {
  let best = -1;
  let dist = Infinity;
  points.forEach((p, i) => {
    const d = Math.abs(p.x - x);
    if (d < dist) {
      best = i;
      dist = d;
    }
  });
  return best;
}

/** The chart's text alternative. */
export function chartSummary(checkName: string, results: readonly CheckResult[], unit: ValueUnit = 'number'): string {
  if (!results.length) return `No results of ${checkName} yet.`;
  const counts = { pass: 0, warn: 0, fail: 0, error: 0 };
  for (const r of results) counts[outcomeKey(r.outcome)]++;
  const last = results[results.length - 1];
  const values = results.map((r) => r.value).filter(finite);
  const fmt = (v: number | null) => formatCheckValue(v, unit);
  const parts = [
    `${results.length} ${results.length === 1 ? 'result' : 'results'} of ${checkName} from ${absoluteTime(results[0].dataTimestamp)} to ${absoluteTime(last.dataTimestamp)}.`,
    `Latest: ${outcomeLabel(last.outcome)}, value ${fmt(last.value)}.`,
    `${counts.fail} failed, ${counts.warn} warned, ${counts.pass} passed${counts.error ? `, ${counts.error} not evaluated` : ''}.`
  ];
  if (values.length) parts.push(`Values ranged from ${fmt(Math.min(...values))} to ${fmt(Math.max(...values))}.`);
  const zones = resultZones(results);
  const thresholds = [
    ...zones.fail.map((b) => `fail when ${bandLabel(b, fmt)}`),
    ...zones.warn.map((b) => `warn when ${bandLabel(b, fmt)}`)
  ];
  if (thresholds.length) parts.push(`Thresholds: ${thresholds.join('; ')}.`);
  return parts.join(' ');
}
