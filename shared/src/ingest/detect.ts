import { isDbtBundle, parseDbtBody } from '../dbt/parse.ts';
import { isGxCheckpoint, isGxDescription, isGxSuite, parseGxValidation } from '../gx/parse.ts';
import { parseSodaScan } from '../soda/parse.ts';
import type { CheckSource } from '../vocab.ts';
import { isRecord, type ParsedScan, type ScanIssue } from './result.ts';

/**
 * `POST /api/v1/scans` and `firebreak ingest` take the results of any supported tool; the
 * format is read from the content, never from a header or flag, so a CI step can send whatever
 * file it has. Rules IN1–IN5 in shared/SPEC.md.
 */

export type DetectedParse =
  | { ok: true; format: CheckSource; scan: ParsedScan }
  /** `format` is null when the body is none of the three; its one issue says what was expected. */
  | { ok: false; format: CheckSource | null; issues: ScanIssue[] };

export const UNRECOGNIZED_BODY =
  'Expected Soda scan results (an object with a "checks" array, as soda scan -srf writes), ' +
  'a dbt run_results.json ("metadata.dbt_schema_version" …/dbt/run-results/v4.json to v6.json, ' +
  'alone or as {"run_results": …, "manifest": …}) or a Great Expectations validation result ' +
  '("results" of expectation results with "expectation_config", or a checkpoint result with "run_results")';

/** Keys only a Soda scan result has at its top level. */
const SODA_KEYS = [
  'checks',
  'defaultDataSource',
  'definitionName',
  'dataTimestamp',
  'scanStartTimestamp',
  'scanEndTimestamp',
  'hasErrors',
  'hasWarnings',
  'hasFailures',
  'sourceOwner'
];

function isDbt(body: Record<string, unknown>): boolean {
  return (isRecord(body.metadata) && typeof body.metadata.dbt_schema_version === 'string') || isDbtBundle(body);
}

function isGx(body: Record<string, unknown>): boolean {
  if (isGxCheckpoint(body) || isGxDescription(body) || isGxSuite(body)) return true;
  if (!Array.isArray(body.results)) return false;
  if (body.results.some((r) => isRecord(r) && 'expectation_config' in r)) return true;
  // An empty validation result still says where it comes from.
  const meta = isRecord(body.meta) ? body.meta : {};
  return (
    'suite_name' in body ||
    'evaluation_parameters' in body ||
    'suite_parameters' in body ||
    'expectation_suite_name' in meta ||
    'great_expectations_version' in meta
  );
}

/**
 * Which tool wrote `body`, judged by keys each format alone has. dbt's schema version is the
 * surest mark, so it is asked first; Soda last, as its keys are the most generic.
 */
export function detectFormat(body: unknown): CheckSource | null {
  if (!isRecord(body)) return null;
  if (isDbt(body)) return 'dbt';
  if (isGx(body)) return 'gx';
  if (SODA_KEYS.some((k) => k in body)) return 'soda';
  return null;
}

/**
 * Detects the format and parses with that format's parser. A recognized body with bad parts
 * reports every bad path in its own terms (`results[2].status`); an unrecognized one gets one
 * issue at `(root)` naming what was expected.
 */
export function parseCheckResults(body: unknown): DetectedParse {
  const format = detectFormat(body);
  if (!format) return { ok: false, format: null, issues: [{ path: '(root)', message: UNRECOGNIZED_BODY }] };
  const res = format === 'soda' ? parseSodaScan(body) : format === 'dbt' ? parseDbtBody(body) : parseGxValidation(body);
  return res.ok ? { ok: true, format, scan: res.scan } : { ok: false, format, issues: res.issues };
}
