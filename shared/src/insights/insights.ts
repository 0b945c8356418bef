import type { CheckSummary } from '../catalog/schema.ts';
import type { Incident } from '../incident/schema.ts';
import { SEVERITIES, type Severity } from '../vocab.ts';

/**
 * The Insights figures, computed from what a browser (or the server) has locally: the incidents
 * of the workspace document and the check catalog. Pure, so the Insights page works offline and
 * `GET /api/v1/w/:ws/insights` answers the same numbers. Rules IS1–IS5 in shared/SPEC.md.
 */

export interface Spread {
  /** How many durations the figures are over. */
  count: number;
  /** Hours; null without any duration. */
  median: number | null;
  p90: number | null;
}

export interface WeekFigures {
  /** Monday 00:00 UTC of the ISO week (YYYY-MM-DD). */
  week: string;
  opened: number;
  mtta: Spread;
  mttr: Spread;
  /** Resolutions that week by reason ('unspecified' when none was given). */
  reasons: Record<string, number>;
}

export interface Insights {
  generatedAt: string;
  open: { total: number; bySeverity: Record<Severity, number> };
  /** Reported → first move to Investigating (or beyond), and reported → first Resolved. */
  mtta: Spread & { bySeverity: Record<Severity, Spread> };
  mttr: Spread & { bySeverity: Record<Severity, Spread> };
  weeks: WeekFigures[];
  /** Incidents per dataset of their linked checks, most first. */
  datasets: Array<{ dataset: string; incidents: number; open: number }>;
  /** Checks by how many incidents they are linked to and how many warn/fail results they had. */
  noisiestChecks: Array<{ checkId: string; name: string; dataset: string; incidents: number; badResults: number }>;
  reasons: Record<string, number>;
}

const HOUR = 3_600_000;

export function quantile(sorted: readonly number[], q: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function spread(hours: readonly number[]): Spread {
  const sorted = [...hours].sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return { count: sorted.length, median: round(quantile(sorted, 0.5)), p90: round(quantile(sorted, 0.9)) };
}

/** Monday of the UTC week `ms` falls in. */
export function weekOf(ms: number): string {
  const d = new Date(ms);
  const day = (d.getUTCDay() + 6) % 7;
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day)).toISOString().slice(0, 10);
}

interface Times {
  created: number;
  acknowledged: number | null;
  resolved: number | null;
  reason: string | null;
}

/** When an incident was first acknowledged (left Reported) and first resolved, from its timeline. */
export function incidentTimes(inc: Incident): Times | null {
  const created = Date.parse(inc.createdAt);
  if (Number.isNaN(created)) return null;
  let acknowledged: number | null = null;
  let resolved: number | null = null;
  let reason: string | null = null;
  for (const ev of inc.timeline) {
    if (ev.kind !== 'status') continue;
    const at = Date.parse(ev.at);
    if (Number.isNaN(at) || at < created) continue;
    if (acknowledged === null && ev.from === 'reported' && ev.to !== 'reported') acknowledged = at;
    if (resolved === null && ev.to === 'resolved') {
      resolved = at;
      const r = (ev as { reason?: unknown }).reason;
      reason = typeof r === 'string' && r ? r : null;
    }
  }
  if (resolved !== null && acknowledged === null) acknowledged = resolved;
  return { created, acknowledged, resolved, reason };
}

const bySeverity = <T>(make: () => T): Record<Severity, T> =>
  Object.fromEntries(SEVERITIES.map((s) => [s, make()])) as Record<Severity, T>;

export function computeInsights(
  incidents: readonly Incident[],
  checks: readonly Pick<CheckSummary, 'id' | 'name' | 'dataset'>[],
  /** Warn/fail results per check id (the catalog's history). */
  badResults: ReadonlyMap<string, number> = new Map(),
  now: Date = new Date()
): Insights {
  const checkById = new Map(checks.map((c) => [c.id, c]));
  const open = { total: 0, bySeverity: bySeverity(() => 0) };
  const mtta: number[] = [];
  const mttr: number[] = [];
  const mttaSev = bySeverity<number[]>(() => []);
  const mttrSev = bySeverity<number[]>(() => []);
  const weeks = new Map<string, { opened: number; mtta: number[]; mttr: number[]; reasons: Record<string, number> }>();
  const week = (w: string) => {
    let f = weeks.get(w);
    if (!f) weeks.set(w, (f = { opened: 0, mtta: [], mttr: [], reasons: {} }));
    return f;
  };
  const datasets = new Map<string, { incidents: number; open: number }>();
  const perCheck = new Map<string, number>();
  const reasons: Record<string, number> = {};

  for (const inc of incidents) {
    const isOpen = inc.status !== 'resolved';
    if (isOpen) {
      open.total++;
      open.bySeverity[inc.severity]++;
    }
    const t = incidentTimes(inc);
    if (t) {
      week(weekOf(t.created)).opened++;
      if (t.acknowledged !== null) {
        const h = (t.acknowledged - t.created) / HOUR;
        mtta.push(h);
        mttaSev[inc.severity].push(h);
        week(weekOf(t.created)).mtta.push(h);
      }
      if (t.resolved !== null) {
        const h = (t.resolved - t.created) / HOUR;
        mttr.push(h);
        mttrSev[inc.severity].push(h);
        const w = week(weekOf(t.resolved));
        w.mttr.push(h);
        const reason = t.reason ?? 'unspecified';
        w.reasons[reason] = (w.reasons[reason] ?? 0) + 1;
        reasons[reason] = (reasons[reason] ?? 0) + 1;
      }
    }
    const seenDatasets = new Set<string>();
    const seenChecks = new Set<string>();
    for (const r of inc.results) {
      if (!seenChecks.has(r.checkId)) {
        seenChecks.add(r.checkId);
        perCheck.set(r.checkId, (perCheck.get(r.checkId) ?? 0) + 1);
      }
      const ds = checkById.get(r.checkId)?.dataset ?? r.checkId.split(':')[0] ?? r.checkId;
      if (seenDatasets.has(ds)) continue;
      seenDatasets.add(ds);
      const d = datasets.get(ds) ?? { incidents: 0, open: 0 };
      d.incidents++;
      if (isOpen) d.open++;
      datasets.set(ds, d);
    }
  }

  const noisy = new Set([...perCheck.keys(), ...badResults.keys()]);
  const noisiestChecks = [...noisy]
    .map((checkId) => {
      const c = checkById.get(checkId);
      return {
        checkId,
        name: c?.name ?? checkId,
        dataset: c?.dataset ?? checkId.split(':')[0] ?? checkId,
        incidents: perCheck.get(checkId) ?? 0,
        badResults: badResults.get(checkId) ?? 0
      };
    })
    .filter((c) => c.incidents > 0 || c.badResults > 0)
    .sort((a, b) => b.incidents - a.incidents || b.badResults - a.badResults || (a.checkId < b.checkId ? -1 : 1))
    .slice(0, 10);

  return {
    generatedAt: now.toISOString(),
    open,
    mtta: { ...spread(mtta), bySeverity: mapSev(mttaSev) },
    mttr: { ...spread(mttr), bySeverity: mapSev(mttrSev) },
    weeks: [...weeks.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([w, f]) => ({ week: w, opened: f.opened, mtta: spread(f.mtta), mttr: spread(f.mttr), reasons: f.reasons })),
    datasets: [...datasets.entries()]
      .map(([dataset, d]) => ({ dataset, ...d }))
      .sort((a, b) => b.incidents - a.incidents || (a.dataset < b.dataset ? -1 : 1)),
    noisiestChecks,
    reasons
  };
}

function mapSev(v: Record<Severity, number[]>): Record<Severity, Spread> {
  return Object.fromEntries(SEVERITIES.map((s) => [s, spread(v[s])])) as Record<Severity, Spread>;
}
