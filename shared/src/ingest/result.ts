import type { CheckSource, Outcome } from '../vocab.ts';

/**
 * What every check-results parser (Soda, dbt, Great Expectations) produces: one normalized scan
 * the catalog stores as is, or the list of problems the API answers 400 with.
 */

export interface ScanIssue {
  /** JSON path of the offending value, e.g. `checks[3].outcome`; `(root)` for the whole body. */
  path: string;
  message: string;
}

/** One check's result in a scan, normalized for storage. */
export interface ParsedCheckResult {
  /** Which tool evaluated the check; shown on the Checks dashboard. */
  source: CheckSource;
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
  /** The tool's own wording of the value where a number alone misleads or there is no number. */
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
  /** Why checks could not be evaluated (error log lines, test errors, expectation exceptions). */
  errors: string[];
  /** Top-level keys other than the checks themselves, kept as received. */
  raw: Record<string, unknown>;
}

export type ParseResult = { ok: true; scan: ParsedScan } | { ok: false; issues: ScanIssue[] };

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `checks[3].outcome`; keys that are not identifiers are quoted (`nodes["test.shop.unique_id"]`)
 * so a dotted dbt id or a GX validation key still reads as one step.
 */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (typeof p === 'string' && !IDENTIFIER.test(p)) out += `[${JSON.stringify(p)}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

/** Zod issues as ScanIssues, under `prefix` (the place of the parsed value inside the body). */
export function zodIssues(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  prefix: ReadonlyArray<PropertyKey> = []
): ScanIssue[] {
  return issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));
}

/** Adds `extra` issues whose path is not reported yet: each path once, the first message wins. */
export function mergeIssues(issues: ScanIssue[], extra: ReadonlyArray<ScanIssue>): ScanIssue[] {
  for (const issue of extra) if (!issues.some((i) => i.path === issue.path)) issues.push(issue);
  return issues;
}

export const toIso = (s: string | null | undefined): string | null =>
  s ? new Date(Date.parse(s)).toISOString() : null;

export function numericValue(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return null;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/**
 * A stable 16-hex-digit id of `text` (two 32-bit multiply-xorshift lanes, cyrb53's mixing).
 * Soda's identities have 8 hex digits; twice that keeps the odds of two of a project's 10,000
 * tests sharing an id (and silently merging their histories) below one in a billion. Not
 * cryptographic, and it need not be: ids only have to be stable and well spread.
 */
export function stableId(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return hex(h2) + hex(h1);
}
