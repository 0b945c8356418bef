import {
  canonicalJson,
  formatPath,
  isRecord,
  mergeIssues,
  numericValue,
  stableId,
  zodIssues,
  type ParsedCheckResult,
  type ParsedScan,
  type ParseResult,
  type ScanIssue
} from '../ingest/result.ts';
import type { Outcome } from '../vocab.ts';
import {
  GxCheckpointSchema,
  GxValidationSchema,
  gxTimestamp,
  type GxExceptionInfo,
  type GxExpectationResult,
  type GxValidation
} from './schema.ts';

/**
 * Great Expectations results as check results: each expectation result of a validation is one
 * check; a checkpoint result contributes the expectation results of all its validations.
 *
 * Decisions (rules GX1–GX10 in shared/SPEC.md):
 * - identity: `stableId` of the expectation type, its kwargs without the per-run ones
 *   (`batch_id`, `result_format`, …), the suite name and the data asset. The asset is in because
 *   a check id is `dataSource:identity` and one suite often validates several assets of a data
 *   source: without it their histories would merge.
 * - dataset: the batch's `datasource_name` / `data_asset_name`.
 * - outcome: success → pass, failure → fail (GX has no warn level), an exception → not evaluated
 *   (null) with the exception message as the reason.
 * - value: `unexpected_count`, else a numeric `observed_value`; any other observed value is kept
 *   as text (`valueText`).
 * - samples: `partial_unexpected_list` becomes a failed-rows block shaped like Soda's, with `rows`
 *   as arrays aligned with `file.columns`.
 */

/** kwargs that describe one run (which batch, how much output), not what is expected. */
const RUN_KWARGS = new Set(['batch_id', 'result_format', 'include_config', 'catch_exceptions']);
/** Enough for a dashboard row; the full kwargs are in the definition. */
const NAME_MAX = 200;
/** Observed values can be whole column lists or histograms; the raw result keeps all of it. */
const VALUE_TEXT_MAX = 500;
const UNNAMED_EXCEPTION = 'Great Expectations raised an exception without a message';

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

const DESCRIPTION_SENT =
  'this is the output of describe(), which leaves out the suite and the batch: send the result’s to_json_dict() instead';
const SUITE_SENT =
  'this is an expectation suite (what to expect), not a validation result (what was found): send the result of validating it';

/** `describe_dict()` of a validation (`expectations`) or checkpoint (`validation_results`) result. */
export function isGxDescription(body: unknown): boolean {
  return (
    isRecord(body) &&
    'success' in body &&
    !Array.isArray(body.results) &&
    !('run_results' in body) &&
    (Array.isArray(body.expectations) || Array.isArray(body.validation_results))
  );
}

/** An expectation suite: `expectations` configured, nothing evaluated. */
export function isGxSuite(body: unknown): boolean {
  return (
    isRecord(body) &&
    !('success' in body) &&
    Array.isArray(body.expectations) &&
    ('expectation_suite_name' in body || 'name' in body)
  );
}

/** A checkpoint result rather than a single validation result. */
export function isGxCheckpoint(body: unknown): boolean {
  return isRecord(body) && isRecord(body.run_results) && !Array.isArray(body.results);
}

/**
 * Validates and normalizes a GX validation result (0.18 or 1.x) or checkpoint result. Paths are
 * reported as in the body (`results[2].expectation_config.type`,
 * `run_results["ValidationResultIdentifier::…"].validation_result.suite_name`).
 */
export function parseGxValidation(body: unknown): ParseResult {
  const wrongKind = isGxDescription(body) ? DESCRIPTION_SENT : isGxSuite(body) ? SUITE_SENT : null;
  if (wrongKind) return { ok: false, issues: [{ path: '(root)', message: wrongKind }] };
  if (isRecord(body) && isGxCheckpoint(body)) return parseCheckpoint(body);
  const issues: ScanIssue[] = [];
  const v = readValidation(body, [], issues);
  if (!v || issues.length) return { ok: false, issues };
  const { results: _results, ...rest } = v.data;
  return {
    ok: true,
    scan: scanOf([v], {
      definitionName: v.data.meta?.checkpoint_name ?? v.suite,
      runTime: null,
      raw: rest
    })
  };
}

interface ValidationView {
  data: GxValidation;
  suite: string;
  checks: ParsedCheckResult[];
  /** The run's start (`meta.run_id.run_time`) and when this validation finished. */
  runTime: string | null;
  validatedAt: string | null;
  exceptions: string[];
}

function parseCheckpoint(body: Record<string, unknown>): ParseResult {
  const top = GxCheckpointSchema.safeParse(body);
  const issues = top.success ? [] : zodIssues(top.error.issues);
  const validations: ValidationView[] = [];
  const entries = isRecord(body.run_results) ? Object.entries(body.run_results) : [];
  if (isRecord(body.run_results) && entries.length === 0)
    issues.push({ path: 'run_results', message: 'a checkpoint result holds at least one validation result' });
  const summaries: Array<Record<string, unknown>> = [];
  for (const [key, value] of entries) {
    // 0.18 wraps each validation as {validation_result, actions_results}; 1.x stores it as is.
    const wrapped = isRecord(value) && 'validation_result' in value;
    const at = wrapped ? ['run_results', key, 'validation_result'] : ['run_results', key];
    const v = readValidation(wrapped ? value.validation_result : value, at, issues);
    if (!v) continue;
    validations.push(v);
    const { results: _results, ...rest } = v.data;
    summaries.push({ key, ...rest });
  }
  if (!top.success || issues.length) return { ok: false, issues };
  const c = top.data;
  const { run_results: _runResults, ...rest } = c;
  return {
    ok: true,
    scan: scanOf(validations, {
      definitionName: c.checkpoint_config?.name ?? c.name ?? validations[0]?.data.meta?.checkpoint_name ?? null,
      runTime: c.run_id?.run_time ? gxTimestamp(c.run_id.run_time) : null,
      raw: { ...rest, validations: summaries }
    })
  };
}

function scanOf(
  validations: ValidationView[],
  opts: { definitionName: string | null; runTime: string | null; raw: Record<string, unknown> }
): ParsedScan {
  const checks = validations.flatMap((v) => v.checks);
  const runTimes = validations.map((v) => v.runTime ?? v.validatedAt).filter((t) => t !== null);
  const ends = validations.map((v) => v.validatedAt ?? v.runTime).filter((t) => t !== null);
  const earliest = runTimes.length ? runTimes.reduce((a, b) => (a < b ? a : b)) : null;
  const latest = ends.length ? ends.reduce((a, b) => (a > b ? a : b)) : null;
  const sources = new Set(checks.map((c) => c.dataSource));
  const errors = validations.flatMap((v) => v.exceptions);
  return {
    definitionName: opts.definitionName ?? 'Great Expectations',
    defaultDataSource: sources.size === 1 ? [...sources][0]! : null,
    // The run's time, as every validation of one checkpoint run shares it.
    dataTimestamp: opts.runTime ?? earliest ?? new Date().toISOString(),
    scanStartTimestamp: opts.runTime ?? earliest,
    scanEndTimestamp: latest,
    hasErrors: errors.length > 0,
    hasWarnings: false,
    hasFailures: checks.some((c) => c.outcome === 'fail'),
    checks,
    errors,
    raw: opts.raw
  };
}

const suiteOf = (v: Record<string, unknown>): string | null =>
  str(v.suite_name) ?? (isRecord(v.meta) ? str(v.meta.expectation_suite_name) : null);

function batchOf(v: GxValidation | Record<string, unknown>): { dataSource: string | null; asset: string | null } {
  const meta = isRecord(v.meta) ? v.meta : {};
  const def = isRecord(meta.active_batch_definition) ? meta.active_batch_definition : {};
  const spec = isRecord(meta.batch_spec) ? meta.batch_spec : {};
  return {
    dataSource: str(def.datasource_name) ?? str(spec.datasource_name),
    asset: str(def.data_asset_name) ?? str(spec.data_asset_name) ?? str(spec.table_name)
  };
}

/**
 * Problems the schema cannot see: no expectation type under either name, no suite, no data
 * source. Runs on the raw body so they are reported alongside schema errors.
 */
function referenceIssues(input: unknown, at: PropertyKey[]): ScanIssue[] {
  if (!isRecord(input)) return [];
  const out: ScanIssue[] = [];
  if (!suiteOf(input))
    out.push({
      path: formatPath([...at, 'suite_name']),
      message: 'a validation result needs its suite: suite_name (GX 1.x) or meta.expectation_suite_name (GX 0.18)'
    });
  if (!batchOf(input).dataSource)
    out.push({
      path: formatPath([...at, 'meta', 'active_batch_definition', 'datasource_name']),
      message: 'a validation result needs the data source of its batch (meta.active_batch_definition.datasource_name)'
    });
  if (Array.isArray(input.results))
    input.results.forEach((r: unknown, i) => {
      const cfg = isRecord(r) ? r.expectation_config : undefined;
      if (isRecord(cfg) && !str(cfg.type) && !str(cfg.expectation_type))
        out.push({
          path: formatPath([...at, 'results', i, 'expectation_config', 'type']),
          message: 'an expectation needs its type: type (GX 1.x) or expectation_type (GX 0.18)'
        });
    });
  return out;
}

function readValidation(input: unknown, at: PropertyKey[], issues: ScanIssue[]): ValidationView | null {
  const res = GxValidationSchema.safeParse(input);
  const found = res.success ? [] : zodIssues(res.error.issues, at);
  mergeIssues(issues, mergeIssues(found, referenceIssues(input, at)));
  if (!res.success || found.length) return null;
  const v = res.data;
  const suite = suiteOf(v)!;
  const batch = batchOf(v);
  const checks = v.results.map((r) => toCheck(r, v, suite, batch.dataSource!, batch.asset));
  const runTime = v.meta?.run_id?.run_time ? gxTimestamp(v.meta.run_id.run_time) : null;
  const validatedAt = v.meta?.validation_time ? gxTimestamp(v.meta.validation_time) : null;
  const exceptions = v.results.flatMap((r) => exceptionsOf(r.exception_info));
  return { data: v, suite, checks, runTime, validatedAt, exceptions };
}

/** Both shapes of exception_info: flat, or keyed by the metric that failed to compute. */
function exceptionsOf(info: GxExceptionInfo | null | undefined): string[] {
  if (!info) return [];
  if (info.raised_exception) return [info.exception_message ?? UNNAMED_EXCEPTION];
  return Object.values(info)
    .filter((e): e is Record<string, unknown> => isRecord(e) && e.raised_exception === true)
    .map((e) => str(e.exception_message) ?? UNNAMED_EXCEPTION);
}

function outcomeOf(r: GxExpectationResult, exceptions: string[]): Outcome | null {
  if (exceptions.length) return null;
  if (r.success === true) return 'pass';
  if (r.success === false) return 'fail';
  return null;
}

function textOf(v: unknown): string {
  return clip(typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)), VALUE_TEXT_MAX);
}

/** `expect_column_values_to_be_between(fare, max_value=500, min_value=0)` */
function nameOf(type: string, kwargs: Record<string, unknown>): string {
  const { column, ...rest } = kwargs;
  const args = Object.keys(rest)
    .sort()
    // GX spells out its defaults (`strict_min: false`, `max_value: null`); they say nothing.
    .filter((k) => rest[k] !== null && rest[k] !== false)
    .map((k) => `${k}=${canonicalJson(rest[k])}`);
  if (typeof column === 'string') args.unshift(column);
  return clip(`${type}(${args.join(', ')})`, NAME_MAX);
}

/** The sampled unexpected values as a Soda-style failed-rows block, rows aligned with columns. */
function sampleBlocks(column: string | null, result: Record<string, unknown>): Array<Record<string, unknown>> {
  const list = result.partial_unexpected_list;
  if (!Array.isArray(list) || list.length === 0) return [];
  // Multi-column expectations sample whole records ({a: 1, b: 2}); single-column ones, values.
  const records = list.every(isRecord);
  const names = records ? [...new Set(list.flatMap((r) => Object.keys(r as object)))] : [column ?? 'value'];
  const rows = records
    ? list.map((r) => names.map((n) => (r as Record<string, unknown>)[n] ?? null))
    : list.map((v) => [v]);
  const total = numericValue(result.unexpected_count);
  return [
    {
      type: 'failedRowsAnalysis',
      title: 'Sample of unexpected values',
      file: { columns: names.map((name) => ({ name, type: null })), totalRowCount: total, storedRowCount: rows.length },
      totalFailingRows: total,
      rows
    }
  ];
}

function toCheck(
  r: GxExpectationResult,
  v: GxValidation,
  suite: string,
  dataSource: string,
  asset: string | null
): ParsedCheckResult {
  const cfg = r.expectation_config;
  const type = (cfg.type ?? cfg.expectation_type)!;
  const kwargs = Object.fromEntries(Object.entries(cfg.kwargs ?? {}).filter(([k]) => !RUN_KWARGS.has(k)));
  const column = str(kwargs.column);
  const result = (r.result ?? {}) as Record<string, unknown>;
  const exceptions = exceptionsOf(r.exception_info);
  const observed = result.observed_value;
  const value = numericValue(result.unexpected_count) ?? numericValue(observed);
  const severity = cfg.severity ?? str(cfg.meta?.severity);

  const attributes: Record<string, unknown> = { source: 'gx', suite };
  if (cfg.id) attributes.expectationId = cfg.id;
  if (severity) attributes.severity = severity;
  if (cfg.meta && Object.keys(cfg.meta).length) attributes.meta = cfg.meta;
  const connector = v.meta?.active_batch_definition?.data_connector_name;
  if (connector) attributes.dataConnector = connector;
  if (v.meta?.great_expectations_version) attributes.gxVersion = v.meta.great_expectations_version;

  const diagnostics: Record<string, unknown> = { ...result, value, blocks: sampleBlocks(column, result) };
  if (exceptions.length) diagnostics.exceptionInfo = r.exception_info;
  return {
    source: 'gx',
    identity: stableId(canonicalJson({ type, kwargs, suite, asset })),
    dataSource,
    table: asset,
    column,
    name: cfg.description ?? nameOf(type, kwargs),
    type,
    definition: JSON.stringify({ type, kwargs }, null, 2),
    attributes,
    outcome: outcomeOf(r, exceptions),
    value,
    valueText: value === null && observed !== undefined && observed !== null ? textOf(observed) : null,
    diagnostics,
    outcomeReasons: exceptions.map((message) => ({ code: 'exception', message, severity: 'error' })),
    raw: r
  };
}
