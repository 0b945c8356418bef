import {
  SEVERITIES,
  STATUSES,
  SEVERITY_ORDER,
  STATUS_LABEL,
  SEVERITY_LABEL,
  formatNumber,
  type Severity,
  type Status
} from '@firebreak/shared';

/** What the Incidents dashboard needs of one incident: no description, no timeline. */
export interface IncidentSummary {
  id: string;
  title: string;
  severity: Severity;
  status: Status;
  leadId: string | null;
  reporterId: string;
  createdAt: string;
  resolvedAt: string | null;
  /** The entry did not parse (a client wrote garbage); shown as a placeholder until repaired. */
  invalid: boolean;
  /** Linked results, in link order. */
  links: ReadonlyArray<{ resultId: string; checkId: string }>;
}

/** A dashboard row: the summary joined with the system document (number, lead) and the catalog. */
export interface IncidentRow extends IncidentSummary {
  number: number | undefined;
  /** `INC-4`, or null while the server has not numbered it. */
  ref: string | null;
  leadName: string | null;
  /** Distinct checks of the linked results, by name when the catalog knows them. */
  checkNames: string[];
  datasets: string[];
}

export interface RowContext {
  numbers: ReadonlyMap<string, number>;
  memberName: (id: string) => string | undefined;
  check: (id: string) => { name: string; dataset: string } | undefined;
}

export function toRow(s: IncidentSummary, ctx: RowContext): IncidentRow {
  const number = ctx.numbers.get(s.id);
  const checkNames: string[] = [];
  const datasets: string[] = [];
  const seen = new Set<string>();
  for (const l of s.links) {
    if (seen.has(l.checkId)) continue;
    seen.add(l.checkId);
    const c = ctx.check(l.checkId);
    checkNames.push(c?.name ?? l.checkId);
    if (c && !datasets.includes(c.dataset)) datasets.push(c.dataset);
  }
  return {
    ...s,
    number,
    ref: formatNumber(number),
    leadName: s.leadId ? (ctx.memberName(s.leadId) ?? 'Unknown member') : null,
    checkNames,
    datasets
  };
}

export const ALL = 'all';
/** Status filter value meaning "anything but Resolved". */
export const OPEN = 'open';
/** Lead filter value meaning "nobody leads it". */
export const NO_LEAD = 'none';

export interface IncidentFilter {
  status: Status | typeof OPEN | typeof ALL;
  severity: Severity | typeof ALL;
  /** A member id, `none` or `all`. */
  lead: string;
  dataset: string;
  text: string;
}

export const EMPTY_FILTER: IncidentFilter = { status: ALL, severity: ALL, lead: ALL, dataset: ALL, text: '' };

export function isFiltered(f: IncidentFilter): boolean {
  return f.status !== ALL || f.severity !== ALL || f.lead !== ALL || f.dataset !== ALL || f.text.trim() !== '';
}

export function filterIncidents(rows: readonly IncidentRow[], f: IncidentFilter): IncidentRow[] {
  const words = f.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return rows.filter((r) => {
    if (f.status === OPEN ? r.status === 'resolved' : f.status !== ALL && r.status !== f.status) return false;
    if (f.severity !== ALL && r.severity !== f.severity) return false;
    if (f.lead === NO_LEAD ? r.leadId !== null : f.lead !== ALL && r.leadId !== f.lead) return false;
    if (f.dataset !== ALL && !r.datasets.includes(f.dataset)) return false;
    if (words.length) {
      const hay = [r.ref ?? 'pending', r.title, r.leadName ?? '', ...r.checkNames, ...r.datasets]
        .join(' ')
        .toLowerCase();
      if (!words.every((w) => hay.includes(w))) return false;
    }
    return true;
  });
}

export type IncidentSortKey = 'severity' | 'number' | 'reported';
export type SortDirection = 'ascending' | 'descending';
export interface IncidentSort {
  key: IncidentSortKey;
  direction: SortDirection;
}
/** Critical first; the natural first click of every column is "most important / newest first". */
export const DEFAULT_SORT: IncidentSort = { key: 'severity', direction: 'descending' };

/** Pending incidents are the newest, so they sort as if numbered after every numbered one. */
const numberOf = (r: IncidentRow) => r.number ?? Number.MAX_SAFE_INTEGER;
const byCreated = (a: IncidentRow, b: IncidentRow) =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export function sortIncidents(rows: IncidentRow[], sort: IncidentSort): IncidentRow[] {
  const dir = sort.direction === 'ascending' ? 1 : -1;
  const out = rows.slice();
  if (sort.key === 'number') out.sort((a, b) => dir * (numberOf(a) - numberOf(b) || byCreated(a, b)));
  else if (sort.key === 'reported') out.sort((a, b) => dir * byCreated(a, b));
  else
    out.sort((a, b) => {
      // Within a severity, open incidents before resolved ones, then newest first.
      const sev = dir * (SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
      if (sev) return sev;
      const resolved = Number(a.status === 'resolved') - Number(b.status === 'resolved');
      return resolved || -byCreated(a, b);
    });
  return out;
}

/** The next sort when a column header is pressed: a new column starts descending, the same one flips. */
export function toggleSort(current: IncidentSort, key: IncidentSortKey): IncidentSort {
  if (current.key !== key) return { key, direction: 'descending' };
  return { key, direction: current.direction === 'descending' ? 'ascending' : 'descending' };
}

/** The accessible name of a dashboard row: "INC-4: Null emails in orders, Critical, Investigating". */
export function incidentRowLabel(r: Pick<IncidentRow, 'ref' | 'title' | 'severity' | 'status'>): string {
  return `${r.ref ?? 'Pending number'}: ${r.title}, ${SEVERITY_LABEL[r.severity]}, ${STATUS_LABEL[r.status]}`;
}

const SORT_KEYS: readonly IncidentSortKey[] = ['severity', 'number', 'reported'];

/** `?status=open&severity=critical&lead=none&dataset=…&q=…&sort=number&dir=asc`; defaults are left out. */
export function incidentQuery(f: IncidentFilter, sort: IncidentSort): string {
  const p = new URLSearchParams();
  if (f.status !== ALL) p.set('status', f.status);
  if (f.severity !== ALL) p.set('severity', f.severity);
  if (f.lead !== ALL) p.set('lead', f.lead);
  if (f.dataset !== ALL) p.set('dataset', f.dataset);
  if (f.text.trim()) p.set('q', f.text);
  if (sort.key !== DEFAULT_SORT.key || sort.direction !== DEFAULT_SORT.direction) {
    p.set('sort', sort.key);
    p.set('dir', sort.direction === 'ascending' ? 'asc' : 'desc');
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The filter and sort an Incidents URL asks for; unknown values fall back to the defaults. */
export function parseIncidentQuery(p: URLSearchParams): { filter: IncidentFilter; sort: IncidentSort } {
  const status = p.get('status');
  const severity = p.get('severity');
  const key = p.get('sort') as IncidentSortKey | null;
  return {
    filter: {
      status:
        status === OPEN || (STATUSES as readonly string[]).includes(status ?? '')
          ? (status as IncidentFilter['status'])
          : ALL,
      severity: (SEVERITIES as readonly string[]).includes(severity ?? '') ? (severity as Severity) : ALL,
      lead: p.get('lead') || ALL,
      dataset: p.get('dataset') || ALL,
      text: p.get('q') ?? ''
    },
    sort:
      key && SORT_KEYS.includes(key)
        ? { key, direction: p.get('dir') === 'asc' ? 'ascending' : 'descending' }
        : DEFAULT_SORT
  };
}

/** Open and resolved counts of the rows shown. */
export function statusCounts(rows: readonly Pick<IncidentRow, 'status'>[]): { open: number; resolved: number } {
  let open = 0;
  for (const r of rows) if (r.status !== 'resolved') open++;
  return { open, resolved: rows.length - open };
}
