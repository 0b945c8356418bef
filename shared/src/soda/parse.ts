import {
  formatPath,
  mergeIssues,
  numericValue,
  toIso,
  zodIssues,
  type ParsedCheckResult,
  type ParseResult,
  type ScanIssue
} from '../ingest/result.ts';
import { SodaScanSchema, type SodaCheck } from './schema.ts';

// The shared result types first lived here; existing importers keep working.
export { formatPath };
export type { ParsedCheckResult, ParsedScan, ParseResult, ScanIssue } from '../ingest/result.ts';

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
  // The schema already names a malformed identity; report each path once.
  const issues = mergeIssues(
    res.success ? [] : zodIssues(res.error.issues),
    referenceIssues(res.success ? res.data : input)
  );
  if (!res.success || issues.length) return { ok: false, issues };
  const s = res.data;

  const dataTimestamp =
    toIso(s.dataTimestamp ?? s.scanEndTimestamp ?? s.scanStartTimestamp) ?? new Date().toISOString();
  const checks = s.checks.map((c): ParsedCheckResult => {
    const attributes: Record<string, unknown> = {};
    for (const a of c.resourceAttributes ?? []) attributes[a.name] = a.value;
    return {
      source: 'soda',
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
