import { createHash } from 'node:crypto';
import {
  CHECK_SOURCE_LABEL,
  parseCheckResults,
  type CheckSource,
  type IngestSummary,
  type ParsedScan
} from '@firebreak/shared';
import { ApiError } from '../api/errors.ts';
import type { CatalogStore } from './catalog-store.ts';

export interface IngestDeps {
  catalog: CatalogStore;
  /** Moves the system document's catalog version so open browsers pull the new results. */
  bumpCatalogVersion(workspaceId: string): Promise<number>;
  /** Inside the ingest transaction, with the new warn/fail results (the integrations' outbox). */
  onAlerts?(workspaceId: string, scanId: string, resultIds: readonly string[]): void;
  /** After the scan is stored (and the catalog version moved): grouping and recovery. */
  afterIngest?(
    workspaceId: string,
    scan: { id: string; name: string },
    alerts: ReadonlyArray<{ resultId: string; checkId: string }>
  ): Promise<unknown>;
  now?: () => Date;
}

/** Deeper than any real scan file (Soda's nest a handful of levels); deeper input is refused, not recursed into. */
export const MAX_JSON_DEPTH = 64;

/** The path of the first value nested deeper than `limit`, or null. Iterative: no stack to overflow. */
export function tooDeep(value: unknown, limit = MAX_JSON_DEPTH): string | null {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: value, depth: 0, path: '' }];
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= limit) return path || '(root)';
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, path: `${path}[${i}]` }));
    else
      for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, path: path ? `${path}.${k}` : k });
  }
  return null;
}

/**
 * The key that makes ingest idempotent: the same tool, definition, data source and scan end
 * time is the same scan; without a scan end time, the same body (by its SHA-256) is.
 */
export function dedupeKey(format: CheckSource, scan: ParsedScan, rawBody: string | null): string | null {
  if (scan.scanEndTimestamp)
    return createHash('sha256')
      .update(JSON.stringify([format, scan.definitionName, scan.defaultDataSource, scan.scanEndTimestamp]))
      .digest('hex');
  return rawBody === null ? null : createHash('sha256').update(rawBody).digest('hex');
}

/**
 * Validates check results (Soda scan results, dbt run_results.json, Great Expectations
 * validation results; the format is read from the content) and stores them: all of it, or on
 * any problem nothing, with every offending JSON path in the error. The same scan sent again
 * stores nothing and says so.
 */
export async function ingestScan(
  deps: IngestDeps,
  workspaceId: string,
  body: unknown,
  rawBody: string | null = null
): Promise<IngestSummary> {
  const deep = tooDeep(body);
  if (deep)
    throw new ApiError(400, 'invalid_scan', `The file nests deeper than ${MAX_JSON_DEPTH} levels; nothing was stored`, [
      { path: deep, message: `nested more than ${MAX_JSON_DEPTH} levels deep` }
    ]);
  const parsed = parseCheckResults(body);
  if (!parsed.ok) {
    if (!parsed.format)
      throw new ApiError(400, 'unrecognized_format', `${parsed.issues[0]!.message}; nothing was stored`, parsed.issues);
    const n = parsed.issues.length;
    const what = parsed.format === 'soda' ? 'The scan file' : `The ${CHECK_SOURCE_LABEL[parsed.format]} results`;
    throw new ApiError(
      400,
      'invalid_scan',
      `${what} has ${n} problem${n === 1 ? '' : 's'}; nothing was stored`,
      parsed.issues
    );
  }
  const { scan, format } = parsed;
  const stored = await deps.catalog.ingest(workspaceId, scan, (deps.now?.() ?? new Date()).toISOString(), {
    source: format,
    dedupeKey: dedupeKey(format, scan, rawBody),
    inTransaction: (s) =>
      deps.onAlerts?.(
        workspaceId,
        s.scanId,
        s.alerts.map((a) => a.resultId)
      )
  });
  const catalogVersion = await deps.bumpCatalogVersion(workspaceId);
  await deps.afterIngest?.(workspaceId, { id: stored.scanId, name: scan.definitionName }, stored.alerts);
  return {
    scanId: stored.scanId,
    format,
    alreadyStored: !!stored.alreadyStored,
    definitionName: scan.definitionName,
    dataTimestamp: scan.dataTimestamp,
    stored: stored.alreadyStored ? 0 : stored.stored,
    newChecks: stored.newChecks,
    outcomes: stored.outcomes,
    catalogVersion
  };
}
