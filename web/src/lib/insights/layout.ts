import { scaleBand, scaleLinear } from 'd3-scale';
import type { Bar, SpreadPoint, Stack } from './charts.ts';
import { weekLabel } from './charts.ts';

/** Geometry of the Insights charts, in pixels of the chart's measured width. Pure, for tests. */

export interface HBarRow {
  bar: Bar;
  /** Baseline of the label above the bar. */
  labelY: number;
  y: number;
  width: number;
}

export const HBAR = { label: 16, bar: 14, gap: 12, valueRoom: 56 } as const;

/** One row per bar: the label on its own line, the bar under it, scaled to the largest value. */
export function hbarLayout(bars: readonly Bar[], width: number): { height: number; rows: HBarRow[] } {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const x = scaleLinear()
    .domain([0, max])
    .range([0, Math.max(10, width - HBAR.valueRoom)]);
  const step = HBAR.label + HBAR.bar + HBAR.gap;
  const rows = bars.map((bar, i) => ({
    bar,
    labelY: i * step + HBAR.label - 4,
    y: i * step + HBAR.label,
    width: bar.value > 0 ? Math.max(2, x(bar.value)) : 0
  }));
  return { height: Math.max(step, bars.length * step - HBAR.gap), rows };
}

export interface WeekBar {
  key: string;
  label: string;
  value: number;
  color: string;
  /** Stacked from y0 to y1 in data units. */
  y0: number;
  y1: number;
  /** Side-by-side position inside the week (0 for stacked charts). */
  slot: number;
}
export interface WeekColumn {
  week: string;
  bars: WeekBar[];
}

/** MTTA / MTTR per week as two bars a week: median, then p90. */
export function spreadColumns(points: readonly SpreadPoint[], color: string): WeekColumn[] {
  return points.map((p) => ({
    week: p.week,
    bars: (
      [
        ['median', 'Median', p.median, color],
        ['p90', 'p90', p.p90, `color-mix(in srgb, ${color} 45%, transparent)`]
      ] as const
    )
      .filter(([, , v]) => v !== null)
      .map(([key, label, v, c], slot) => ({ key, label, value: v!, color: c, y0: 0, y1: v!, slot }))
  }));
}

/** Resolutions per week stacked by reason. */
export function stackColumns(stacks: readonly Stack[]): WeekColumn[] {
  return stacks.map((s) => ({
    week: s.week,
    bars: s.segments.map((g) => ({
      key: g.reason,
      label: g.label,
      value: g.value,
      color: g.color,
      y0: g.y0,
      y1: g.y1,
      slot: 0
    }))
  }));
}

export interface WeekBox {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface WeekRect {
  week: string;
  bar: WeekBar;
  x: number;
  y: number;
  width: number;
  height: number;
}

export function weekLayout(
  columns: readonly WeekColumn[],
  slots: number,
  box: WeekBox,
  format: (v: number) => string
): {
  rects: WeekRect[];
  xTicks: Array<{ x: number; label: string }>;
  yTicks: Array<{ y: number; label: string }>;
} {
  const max = Math.max(0, ...columns.flatMap((c) => c.bars.map((b) => b.y1)));
  const x = scaleBand()
    .domain(columns.map((c) => c.week))
    .range([box.left, Math.max(box.left + 1, box.width - box.right)])
    .paddingInner(0.25)
    .paddingOuter(0.1);
  const y = scaleLinear()
    .domain([0, max || 1])
    .nice(4)
    .range([box.height - box.bottom, box.top]);
  const slot = x.bandwidth() / Math.max(1, slots);
  const rects = columns.flatMap((c) =>
    c.bars.map((bar) => ({
      week: c.week,
      bar,
      x: (x(c.week) ?? 0) + bar.slot * slot,
      y: y(bar.y1),
      width: Math.max(1, slot - (slots > 1 ? 1 : 0)),
      height: Math.max(0, y(bar.y0) - y(bar.y1))
    }))
  );
  // A label for at most ~one week in every 56 px, so narrow screens do not overlap them.
  const every = Math.max(1, Math.ceil((columns.length * 56) / Math.max(1, box.width - box.left - box.right)));
  const xTicks = columns
    .filter((_, i) => i % every === 0)
    .map((c) => ({ x: (x(c.week) ?? 0) + x.bandwidth() / 2, label: weekLabel(c.week) }));
  const yTicks = y.ticks(4).map((v) => ({ y: y(v), label: format(v) }));
  return { rects, xTicks, yTicks };
}
