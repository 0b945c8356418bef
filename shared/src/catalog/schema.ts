import type { CheckSource, Outcome } from '../vocab.ts';

/**
 * The check catalog as the HTTP API serves it and the browser mirrors it in Dexie. Server-owned,
 * append-mostly; browsers pull deltas by cursor and pull again when the system document's
 * catalog version moves.
 */

/** A check's id: Soda's identity within its data source. */
export function checkId(dataSource: string, identity: string): string {
  return `${dataSource}:${identity}`;
}

export function datasetName(dataSource: string, table: string | null): string {
  return table ? `${dataSource}/${table}` : dataSource;
}

/** One row of the Checks dashboard: a check and its latest result. */
export interface CheckSummary {
  id: string;
  /** Which tool evaluates it: Soda, dbt or Great Expectations. */
  source: CheckSource;
  identity: string;
  dataSource: string;
  table: string | null;
  column: string | null;
  /** `datasource/table` */
  dataset: string;
  name: string;
  type: string;
  definition: string | null;
  attributes: Record<string, unknown>;
  outcome: Outcome | null;
  value: number | null;
  /** How Soda phrases a value that is not a plain number (freshness: "1 day, 3:30:00"). */
  valueText: string | null;
  /** Data timestamp of the latest result (ISO). */
  evaluatedAt: string;
  lastResultId: string;
  resultCount: number;
  /** Catalog sequence of the last change; the delta cursor. */
  seq: number;
}

/** One evaluation of a check in one scan. */
export interface CheckResult {
  id: string;
  checkId: string;
  scanId: string;
  outcome: Outcome | null;
  value: number | null;
  valueText: string | null;
  dataTimestamp: string;
  diagnostics: Record<string, unknown> | null;
  outcomeReasons: Array<{ code?: string | null; message?: string | null; severity?: string | null }>;
  seq: number;
}

export interface ChecksPage {
  checks: CheckSummary[];
  /** Pass back as `?cursor=` to get only what changed since. */
  cursor: number;
  hasMore: boolean;
}

export interface ResultsPage {
  check: CheckSummary;
  /** Oldest first (the chart's time axis). */
  results: CheckResult[];
}

export interface IngestSummary {
  scanId: string;
  /** The format the body was read as. */
  format: CheckSource;
  /** The same scan had been stored before: nothing new was stored (the summary is of that scan). */
  alreadyStored: boolean;
  definitionName: string;
  dataTimestamp: string;
  stored: number;
  newChecks: number;
  outcomes: { pass: number; warn: number; fail: number; error: number };
  catalogVersion: number;
}

export interface ApiErrorBody {
  error: { code: string; message: string; issues?: Array<{ path: string; message: string }> };
}
