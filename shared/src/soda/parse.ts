import type { Outcome } from '../vocab.ts';
import { SodaScanSchema, type SodaCheck } from './schema.ts';

export interface ScanIssue {
  /** JSON path of the offending value, e.g. `checks[3].outcome`; `(root)` for the whole body. */
  path: string;
  message: string;
}

/** One check's result in a scan, normalized for storage. */
export interface ParsedCheckResult {
  identity: string;
  dataSource: string;
  table: string | null;
  column: string | null;
  name: string;
  type: string;
  definition: string | null;
  attributes: Record<string, unknown>;
  outcome: Outcome | null;
  /** The measured value when numeric (diagnostics.value), else null. */
  value: number | null;
  /** Soda's own wording of the value where a number alone misleads (freshness checks). */
  valueText: string | null;
  diagnostics: Record<string, unknown> | null;
  outcomeReasons: Array<{ code?: string | null; message?: string | null; severity?: string | null }>;
  /** The check object as received, unknown keys included. */
  raw: Record<string, unknown>;
}

export interface ParsedScan {
  definitionName: string;
  defaultDataSource: string | null;
  /** When the data was measured: the time axis of a check's history. */
  dataTimestamp: string;
  scanStartTimestamp: string | null;
  scanEndTimestamp: string | null;
  hasErrors: boolean;
  hasWarnings: boolean;
  hasFailures: boolean;
  checks: ParsedCheckResult[];
  /** Messages of error-level log lines: why checks could not be evaluated. */
  errors: string[];
  /** Top-level keys other than `checks`, kept as received. */
  raw: Record<string, unknown>;
}

export type ParseResult = { ok: true; scan: ParsedScan } | { ok: false; issues: ScanIssue[] };

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

const toIso = (s: string | null | undefined) => (s ? new Date(Date.parse(s)).toISOString() : null);

function numericValue(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

/** Freshness checks measure time (`measure: "time"`) and say it as "1 day, 2:03:04". */
export function valueText(diagnostics: Record<string, unknown> | null | undefined): string | null {
  const f = diagnostics?.freshness;
  return diagnostics?.measure === 'time' && typeof f === 'string' && f ? f : null;
}

function checkIdentity(c: SodaCheck): string | null {
  return c.identity ?? c.identities?.v4 ?? c.identities?.v3 ?? null;
}

/**
 * Problems the schema cannot see (a check with no identity at all, no data source anywhere).
 * Runs on the raw body too, so a file that also has schema errors still gets every path reported.
 */
function referenceIssues(body: unknown): ScanIssue[] {
  if (typeof body !== 'object' || body === null) return [];
  const { checks, defaultDataSource } = body as { checks?: unknown; defaultDataSource?: unknown };
  if (!Array.isArray(checks)) return [];
  const out: ScanIssue[] = [];
  checks.forEach((c: unknown, i) => {
    if (typeof c !== 'object' || c === null) return;
    if (!checkIdentity(c as SodaCheck))
      out.push({
        path: `checks[${i}].identity`,
        message: 'a check needs an identity (or identities.v4 / identities.v3)'
      });
    if (!(c as SodaCheck).dataSource && !defaultDataSource)
      out.push({
        path: `checks[${i}].dataSource`,
        message: 'no dataSource on the check and no defaultDataSource on the scan'
      });
  });
  return out;
}

/**
 * Validates and normalizes a Soda scan results object. On failure, returns every problem with
 * its JSON path, so a client can fix the whole file in one go.
 */
export function parseSodaScan(input: unknown): ParseResult {
  const res = SodaScanSchema.safeParse(input);
  const issues: ScanIssue[] = res.success
    ? []
    : res.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
  // The schema already names a malformed identity; report each path once.
  for (const issue of referenceIssues(res.success ? res.data : input))
    if (!issues.some((i) => i.path === issue.path)) issues.push(issue);
  if (!res.success || issues.length) return { ok: false, issues };
  const s = res.data;

  const dataTimestamp =
    toIso(s.dataTimestamp ?? s.scanEndTimestamp ?? s.scanStartTimestamp) ?? new Date().toISOString();
  const checks = s.checks.map((c): ParsedCheckResult => {
    const attributes: Record<string, unknown> = {};
    for (const a of c.resourceAttributes ?? []) attributes[a.name] = a.value;
    return {
      identity: checkIdentity(c)!,
      dataSource: (c.dataSource ?? s.defaultDataSource)!,
      table: c.table ?? null,
      column: c.column ?? null,
      name: c.name ?? c.definition ?? checkIdentity(c)!,
      type: c.type ?? 'generic',
      definition: c.definition ?? null,
      attributes,
      outcome: c.outcome ?? null,
      value: numericValue(c.diagnostics?.value),
      valueText: valueText(c.diagnostics),
      diagnostics: c.diagnostics ?? null,
      outcomeReasons: c.outcomeReasons ?? [],
      raw: c
    };
  });
  const { checks: _checks, ...rest } = s;
  return {
    ok: true,
    scan: {
      definitionName: s.definitionName ?? 'Soda Core CLI',
      defaultDataSource: s.defaultDataSource ?? null,
      dataTimestamp,
      scanStartTimestamp: toIso(s.scanStartTimestamp),
      scanEndTimestamp: toIso(s.scanEndTimestamp),
      hasErrors: s.hasErrors ?? false,
      hasWarnings: s.hasWarnings ?? checks.some((c) => c.outcome === 'warn'),
      hasFailures: s.hasFailures ?? checks.some((c) => c.outcome === 'fail'),
      checks,
      errors: (s.logs ?? []).filter((l) => l.level?.toLowerCase() === 'error').map((l) => l.message ?? ''),
      raw: rest
    }
  };
}
