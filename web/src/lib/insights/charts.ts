import {
  RESOLUTION_REASON_LABEL,
  SEVERITIES,
  SEVERITY_LABEL,
  isResolutionReason,
  type Insights,
  type Severity
} from '@firebreak/shared';

/**
 * Shapes the Insights figures (computeInsights) into what the page's charts and their table
 * views draw: pure, so the page stays a thin view and the numbers are tested here.
 */

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** A CSS colour (a custom property of the theme). */
  color: string;
  /** Extra words for the table view and the bar's tooltip. */
  detail?: string;
}

export const SEVERITY_COLOR: Record<Severity, string> = {
  critical: 'var(--critical-text)',
  major: 'var(--major-text)',
  minor: 'var(--minor-text)'
};

/** Open incidents per severity, most severe first; every severity has a bar, even at zero. */
export function openBySeverity(ins: Pick<Insights, 'open'>): Bar[] {
  return [...SEVERITIES].reverse().map((s) => ({
    key: s,
    label: SEVERITY_LABEL[s],
    value: ins.open.bySeverity[s],
    color: SEVERITY_COLOR[s]
  }));
}

/** Incidents per dataset, most first, at most `limit`. */
export function datasetBars(ins: Pick<Insights, 'datasets'>, limit = 10): Bar[] {
  return ins.datasets.slice(0, limit).map((d) => ({
    key: d.dataset,
    label: d.dataset,
    value: d.incidents,
    color: 'var(--accent)',
    detail: `${d.open} open`
  }));
}

/** The noisiest checks by incidents, then warn/fail results. */
export function noisyCheckBars(ins: Pick<Insights, 'noisiestChecks'>, by: 'incidents' | 'badResults'): Bar[] {
  return ins.noisiestChecks
    .filter((c) => c[by] > 0)
    .slice()
    .sort((a, b) => b[by] - a[by] || (a.checkId < b.checkId ? -1 : 1))
    .map((c) => ({
      key: c.checkId,
      label: c.name,
      value: c[by],
      color: by === 'incidents' ? 'var(--fail)' : 'var(--warn)',
      detail: `${c.dataset} · ${plural(c.incidents, 'incident')} · ${plural(c.badResults, 'warn/fail result')}`
    }));
}

/** Median MTTA or MTTR per severity (most severe first), severities without any duration left out. */
export function spreadBySeverity(ins: Pick<Insights, 'mtta' | 'mttr'>, metric: 'mtta' | 'mttr'): Bar[] {
  return [...SEVERITIES]
    .reverse()
    .filter((s) => ins[metric].bySeverity[s].median !== null)
    .map((s) => {
      const sp = ins[metric].bySeverity[s];
      return {
        key: s,
        label: SEVERITY_LABEL[s],
        value: sp.median!,
        color: SEVERITY_COLOR[s],
        detail: `p90 ${formatHours(sp.p90)}, ${plural(sp.count, 'incident')}`
      };
    });
}

export interface SpreadPoint {
  week: string;
  count: number;
  median: number | null;
  p90: number | null;
}

/** MTTA or MTTR per week, weeks without any duration left out. */
export function spreadByWeek(ins: Pick<Insights, 'weeks'>, metric: 'mtta' | 'mttr'): SpreadPoint[] {
  return ins.weeks
    .filter((w) => w[metric].count > 0)
    .map((w) => ({ week: w.week, count: w[metric].count, median: w[metric].median, p90: w[metric].p90 }));
}

export const REASON_COLOR: Record<string, string> = {
  fixed: 'var(--pass)',
  false_positive: 'var(--status-investigating)',
  expected_change: 'var(--warn)',
  wont_fix: 'var(--muted)',
  duplicate: 'var(--status-fixing)',
  unspecified: 'var(--border-strong)'
};

export function reasonLabel(reason: string): string {
  if (isResolutionReason(reason)) return RESOLUTION_REASON_LABEL[reason];
  if (reason === 'unspecified') return 'No reason given';
  return (RESOLUTION_REASON_LABEL as Record<string, string>)[reason] ?? reason.replace(/_/g, ' ');
}

export interface Stack {
  week: string;
  total: number;
  segments: Array<{ reason: string; label: string; value: number; y0: number; y1: number; color: string }>;
}

/**
 * Resolutions per week stacked by reason, weeks without any resolution left out. The reasons
 * (the legend, in stacking order) are the known ones first, then any other, then "no reason".
 */
export function reasonStacks(ins: Pick<Insights, 'weeks' | 'reasons'>): { reasons: string[]; stacks: Stack[] } {
  const known = Object.keys(RESOLUTION_REASON_LABEL);
  const present = new Set(Object.keys(ins.reasons));
  for (const w of ins.weeks) for (const r of Object.keys(w.reasons)) present.add(r);
  const rank = (r: string) => (r === 'unspecified' ? 1e6 : known.includes(r) ? known.indexOf(r) : 1e3);
  const reasons = [...present].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
  const stacks = ins.weeks
    .map((w) => {
      let y = 0;
      const segments = reasons
        .filter((r) => (w.reasons[r] ?? 0) > 0)
        .map((r) => {
          const value = w.reasons[r]!;
          const seg = { reason: r, label: reasonLabel(r), value, y0: y, y1: y + value, color: reasonColor(r) };
          y += value;
          return seg;
        });
      return { week: w.week, total: y, segments };
    })
    .filter((s) => s.total > 0);
  return { reasons, stacks };
}

export const reasonColor = (r: string): string => REASON_COLOR[r] ?? 'var(--status-reported)';

/** A duration in hours, short: "0", "45 min", "3.5 h", "2.1 d"; "–" for none. */
export function formatHours(h: number | null): string {
  if (h === null || !Number.isFinite(h)) return '–';
  if (h <= 0) return '0';
  if (h < 1) return `${Math.max(1, Math.round(h * 60))} min`;
  if (h < 48) return `${round1(h)} h`;
  return `${round1(h / 24)} d`;
}

/** "Nov 2" for the Monday a week starts (UTC). */
export function weekLabel(week: string): string {
  const d = new Date(`${week}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return week;
  return d.toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

const round1 = (v: number) => String(Math.round(v * 10) / 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
