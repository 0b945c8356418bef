import {
  CHECK_SOURCE_LABEL,
  OUTCOME_LABEL,
  OUTCOME_ORDER,
  formatCheckValue,
  valueUnit,
  type CheckResult,
  type CheckSource,
  type CheckSummary,
  type Outcome,
  type ValueUnit
} from '@firebreak/shared';

/**
 * What the dashboards need of a check: its summary without definition, attributes and the
 * identity parts. The catalog keeps these rows as one list (see Catalog); a check's page reads
 * the full summary.
 */
export type CheckRow = Pick<
  CheckSummary,
  'id' | 'name' | 'column' | 'dataset' | 'outcome' | 'value' | 'valueText' | 'evaluatedAt' | 'lastResultId' | 'seq'
> & {
  /** The unit of its values (from name, definition and type); rows stored before it had none. */
  unit?: ValueUnit;
  /** Which tool evaluates it; rows stored before checks had sources are Soda's. */
  source?: CheckSource;
};

export function toCheckRow(c: CheckSummary): CheckRow {
  const { id, name, column, dataset, outcome, value, valueText, evaluatedAt, lastResultId, seq } = c;
  return {
    id,
    name,
    column,
    dataset,
    outcome,
    value,
    valueText: valueText ?? null,
    evaluatedAt,
    lastResultId,
    seq,
    unit: valueUnit(c),
    source: c.source
  };
}

/** The tool that evaluates a check: Soda, dbt or GX. */
export const sourceOf = (c: Pick<CheckRow, 'source'>): CheckSource => c.source ?? 'soda';
export const sourceLabel = (c: Pick<CheckRow, 'source'>): string => CHECK_SOURCE_LABEL[sourceOf(c)];

/** The unit of a check's values (a summary, a row, or a row stored before rows had units). */
export function unitOf(
  c: CheckRow | CheckSummary | null | undefined,
  r?: Pick<CheckResult, 'valueText' | 'diagnostics'>
): ValueUnit {
  if (r && (r.diagnostics?.measure === 'time' || r.valueText)) return valueUnit(r);
  if (!c) return r ? valueUnit(r) : 'number';
  return ('unit' in c && c.unit) || valueUnit(c);
}

/** A value of a check (its latest, or one of its results) in the check's unit. */
export function checkValue(
  c: CheckRow | CheckSummary | null | undefined,
  r: Pick<CheckResult, 'value' | 'valueText'> & { diagnostics?: CheckResult['diagnostics'] } = c ?? {
    value: null,
    valueText: null
  }
): string {
  return formatCheckValue(r.value, unitOf(c, { valueText: r.valueText, diagnostics: r.diagnostics ?? null }));
}

/** `error` stands for a null outcome: the check could not be evaluated. */
export type OutcomeKey = Outcome | 'error';
export const outcomeKey = (o: Outcome | null): OutcomeKey => o ?? 'error';
export const outcomeLabel = (o: Outcome | null): string => OUTCOME_LABEL[outcomeKey(o)];

export interface CheckFilter {
  outcome: OutcomeKey | 'all';
  dataset: string;
  text: string;
}
export const EMPTY_CHECK_FILTER: CheckFilter = { outcome: 'all', dataset: 'all', text: '' };

export function isCheckFiltered(f: CheckFilter): boolean {
  return f.outcome !== 'all' || f.dataset !== 'all' || f.text.trim() !== '';
}

export function filterChecks<T extends CheckRow>(checks: readonly T[], f: CheckFilter): T[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return checks.filter((c) => {
    if (f.outcome !== 'all' && outcomeKey(c.outcome) !== f.outcome) return false;
    if (f.dataset !== 'all' && c.dataset !== f.dataset) return false;
    if (words.length) {
      const hay = `${c.name} ${c.dataset} ${c.column ?? ''} ${c.id}`.toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
}

const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

/** Worst outcome first (fail, warn, not evaluated, pass), then by name, then by id for stability. */
export function compareChecks(a: CheckRow, b: CheckRow): number {
  return (
    OUTCOME_ORDER[outcomeKey(a.outcome)] - OUTCOME_ORDER[outcomeKey(b.outcome)] ||
    collator.compare(a.name, b.name) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * `compareChecks` order for a whole list. Names are compared as lower-case code units instead
 * of with the collator: four times faster on 5,000 checks, and the dashboard's first render
 * waits for this sort. (Only accented names order differently.)
 */
export function sortChecks<T extends CheckRow>(checks: readonly T[]): T[] {
  const keyed = checks.map((c) => ({ c, o: OUTCOME_ORDER[outcomeKey(c.outcome)], n: c.name.toLowerCase() }));
  keyed.sort((a, b) => a.o - b.o || (a.n < b.n ? -1 : a.n > b.n ? 1 : a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0));
  return keyed.map((k) => k.c);
}

/** Distinct datasets, sorted, for the dataset filter. */
export function datasetsOf(checks: readonly CheckRow[]): string[] {
  return [...new Set(checks.map((c) => c.dataset))].sort(collator.compare);
}

/** Counts per outcome for the filter chips. */
export function outcomeCounts(checks: readonly CheckRow[]): Record<OutcomeKey, number> {
  const out: Record<OutcomeKey, number> = { fail: 0, warn: 0, error: 0, pass: 0 };
  for (const c of checks) out[outcomeKey(c.outcome)]++;
  return out;
}

/** "Null emails in orders, Fail, postgres/orders" */
export function checkRowLabel(c: Pick<CheckRow, 'name' | 'outcome' | 'dataset'>): string {
  return `${c.name}, ${outcomeLabel(c.outcome)}, ${c.dataset}`;
}

/**
 * The check's latest result as its summary describes it: what a check page can still offer
 * (Create incident, Link to incident) offline before its history was ever loaded.
 */
export function latestResult(c: CheckRow): CheckResult {
  return {
    id: c.lastResultId,
    checkId: c.id,
    scanId: '',
    outcome: c.outcome,
    value: c.value,
    valueText: c.valueText ?? null,
    dataTimestamp: c.evaluatedAt,
    diagnostics: null,
    outcomeReasons: [],
    seq: c.seq
  };
}

export type CheckSortKey = 'outcome' | 'name' | 'value' | 'source' | 'dataset' | 'evaluated';
export type CheckSortDirection = 'ascending' | 'descending';
export interface CheckSort {
  key: CheckSortKey;
  direction: CheckSortDirection;
}
/** Worst outcome first, failures new since the last visit on top. */
export const DEFAULT_CHECK_SORT: CheckSort = { key: 'outcome', direction: 'descending' };
const CHECK_SORT_KEYS: readonly CheckSortKey[] = ['outcome', 'name', 'value', 'source', 'dataset', 'evaluated'];

/** A failing or warning check whose latest result arrived after `sinceSeq` (the catalog sequence of the last visit). */
export function isNewFailure(c: CheckRow, sinceSeq: number | null): boolean {
  return sinceSeq !== null && c.seq > sinceSeq && (c.outcome === 'fail' || c.outcome === 'warn');
}

/**
 * A dashboard order. `outcome` descending is `sortChecks` (worst first) with new failures before
 * everything, newest first; ascending flips it. Other columns sort by that column, then
 * `sortChecks` order; checks without a value go last either way.
 */
export function sortCheckRows<T extends CheckRow>(
  rows: readonly T[],
  sort: CheckSort,
  sinceSeq: number | null = null
): T[] {
  const base = sortChecks(rows);
  const rank = new Map(base.map((c, i) => [c.id, i]));
  const tie = (a: T, b: T) => rank.get(a.id)! - rank.get(b.id)!;
  const dir = sort.direction === 'ascending' ? 1 : -1;
  const out = base.slice();
  switch (sort.key) {
    case 'outcome': {
      const fresh = (c: T) => isNewFailure(c, sinceSeq);
      out.sort(
        (a, b) => Number(fresh(b)) - Number(fresh(a)) || (fresh(a) && fresh(b) ? b.seq - a.seq : 0) || tie(a, b)
      );
      return sort.direction === 'descending' ? out : out.reverse();
    }
    case 'name':
      return out.sort((a, b) => dir * collator.compare(a.name, b.name) || tie(a, b));
    case 'dataset':
      return out.sort((a, b) => dir * collator.compare(a.dataset, b.dataset) || tie(a, b));
    case 'source':
      return out.sort((a, b) => dir * collator.compare(sourceLabel(a), sourceLabel(b)) || tie(a, b));
    case 'evaluated':
      return out.sort((a, b) => dir * (Date.parse(a.evaluatedAt) - Date.parse(b.evaluatedAt)) || tie(a, b));
    case 'value':
      return out.sort((a, b) => {
        const av = a.value ?? null;
        const bv = b.value ?? null;
        if (av === null || bv === null) return Number(av === null) - Number(bv === null) || tie(a, b);
        return dir * (av - bv) || tie(a, b);
      });
  }
}

/** The next sort when a column header is pressed: text columns start A→Z, the others largest / newest / worst first. */
export function toggleCheckSort(current: CheckSort, key: CheckSortKey): CheckSort {
  if (current.key === key) return { key, direction: current.direction === 'descending' ? 'ascending' : 'descending' };
  return { key, direction: key === 'name' || key === 'dataset' || key === 'source' ? 'ascending' : 'descending' };
}

const OUTCOME_KEYS: ReadonlyArray<CheckFilter['outcome']> = ['all', 'fail', 'warn', 'error', 'pass'];

/** `?outcome=fail&dataset=pg%2Forders&q=email&sort=value&dir=asc`; defaults are left out. */
export function checkQuery(f: CheckFilter, sort: CheckSort): string {
  const p = new URLSearchParams();
  if (f.outcome !== 'all') p.set('outcome', f.outcome);
  if (f.dataset !== 'all') p.set('dataset', f.dataset);
  if (f.text.trim()) p.set('q', f.text);
  if (sort.key !== DEFAULT_CHECK_SORT.key || sort.direction !== DEFAULT_CHECK_SORT.direction) {
    p.set('sort', sort.key);
    p.set('dir', sort.direction === 'ascending' ? 'asc' : 'desc');
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The filter and sort a Checks URL asks for; anything unknown falls back to the default. */
export function parseCheckQuery(p: URLSearchParams): { filter: CheckFilter; sort: CheckSort } {
  const outcome = p.get('outcome') as CheckFilter['outcome'] | null;
  const key = p.get('sort') as CheckSortKey | null;
  const sort: CheckSort =
    key && CHECK_SORT_KEYS.includes(key)
      ? { key, direction: p.get('dir') === 'asc' ? 'ascending' : 'descending' }
      : DEFAULT_CHECK_SORT;
  return {
    filter: {
      outcome: outcome && OUTCOME_KEYS.includes(outcome) ? outcome : 'all',
      dataset: p.get('dataset') || 'all',
      text: p.get('q') ?? ''
    },
    sort
  };
}
