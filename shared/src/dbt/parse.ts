import {
  canonicalJson,
  formatPath,
  isRecord,
  mergeIssues,
  stableId,
  toIso,
  zodIssues,
  type ParsedCheckResult,
  type ParseResult,
  type ScanIssue
} from '../ingest/result.ts';
import type { Outcome } from '../vocab.ts';
import {
  DbtManifestSchema,
  DbtRelationNodeSchema,
  DbtRunResultsSchema,
  DbtTestNodeSchema,
  DbtTestResultSchema,
  MIN_RUN_RESULTS_VERSION,
  RUN_RESULTS_SCHEMA,
  type DbtRelationNode,
  type DbtTestNode,
  type DbtTestResult,
  type DbtTestStatus
} from './schema.ts';

/**
 * dbt's `run_results.json` as check results: every test node's result is one check; models,
 * seeds, snapshots and unit tests in the same file are ignored.
 *
 * One request carries one body, so the manifest travels inside it:
 * - the `run_results.json` object as dbt wrote it (no manifest: checks are named after the test
 *   node and have no table or column), or
 * - `{"run_results": {…run_results.json…}, "manifest": {…manifest.json…}}`, which adds each test's
 *   model, column, kind, severity and tags. The manifest may be stale or partial: a test it does
 *   not know reads as if it were absent.
 *
 * Decisions (rules DB1–DB10 in shared/SPEC.md):
 * - identity: `stableId(unique_id)`. dbt's generic-test ids end in a hash of the test's arguments,
 *   so, like a Soda identity, it survives reruns and changes when the test's arguments do.
 * - data source: the package in the unique_id (`test.<package>.…`), usually the project. Check
 *   ids are `dataSource:identity`, so the data source must not depend on whether a manifest came
 *   along; the warehouse database, schema and adapter go into the attributes instead.
 * - outcome: pass/warn/fail as such; error (and `runtime error`) and skipped are "not evaluated"
 *   (null) with dbt's message, or why it was skipped, as the outcome reason.
 * - value: `failures`, the number dbt compares with `warn_if` / `error_if`.
 */

const TEST_PREFIX = 'test.';
/** The resource kinds a test can be attached to; others in `depends_on` are macros or metrics. */
const RELATION_PREFIXES = ['model.', 'seed.', 'snapshot.', 'source.'];
const SKIPPED_REASON = 'Skipped by dbt: an upstream node failed or the run stopped early';
const DBT_ERROR_REASON = 'dbt reported an error without a message';

const errored = (t: DbtTestResult) => t.status === 'error' || t.status === 'runtime error';

const OUTCOME: Record<DbtTestStatus, Outcome | null> = {
  pass: 'pass',
  warn: 'warn',
  fail: 'fail',
  error: null,
  'runtime error': null,
  skipped: null
};

/** Where each part of the body sits, so issues name the path the client sent. */
interface Places {
  runResults: PropertyKey[];
  manifest: PropertyKey[];
}

/** The bits of a manifest the tests of one run need, validated. */
interface ManifestView {
  projectName: string | null;
  adapterType: string | null;
  metadata: Record<string, unknown> | null;
  /** Each known test's node and the id of the relation it tests. */
  tests: Map<string, { node: DbtTestNode; relId: string | null }>;
  relations: Map<string, DbtRelationNode>;
}

/**
 * Validates and normalizes a `run_results.json`, enriched by its `manifest.json` when given.
 * Run-results paths are reported as in the file (`results[2].status`), manifest paths under
 * `manifest.` (`manifest.nodes["test.shop.unique_orders_id.1a2b3c"].test_metadata.name`).
 */
export function parseDbtRunResults(runResults: unknown, manifest?: unknown): ParseResult {
  return parseDbt(runResults, manifest, { runResults: [], manifest: ['manifest'] });
}

/** The `{run_results, manifest}` request body (see above); paths start with its keys. */
export function parseDbtBundle(body: DbtBundle): ParseResult {
  return parseDbt(body.run_results, body.manifest, { runResults: ['run_results'], manifest: ['manifest'] });
}

export interface DbtBundle {
  run_results?: unknown;
  manifest?: unknown;
}

/**
 * The `{run_results, manifest}` wrapper, told apart from a GX checkpoint result (whose
 * `run_results` is keyed by validation id) by the run results' own keys.
 */
export function isDbtBundle(body: unknown): body is DbtBundle {
  if (!isRecord(body) || isRecord(body.metadata)) return false;
  const rr = body.run_results;
  return 'manifest' in body || (isRecord(rr) && ('metadata' in rr || Array.isArray(rr.results)));
}

/** One request body: a bare run_results.json or the wrapper. */
export function parseDbtBody(body: unknown): ParseResult {
  return isDbtBundle(body) ? parseDbtBundle(body) : parseDbtRunResults(body);
}

function parseDbt(input: unknown, manifestInput: unknown, at: Places): ParseResult {
  // Another artifact, or one too old, is not worth checking field by field: say what it is.
  const wrongKind = versionIssues(input, at.runResults);
  if (wrongKind.length) return { ok: false, issues: wrongKind };
  const top = DbtRunResultsSchema.safeParse(input);
  const issues = top.success ? [] : zodIssues(top.error.issues, at.runResults);

  // Only tests are read, so only tests are checked: a model's odd result cannot reject the file.
  const tests: DbtTestResult[] = [];
  const raws: Array<Record<string, unknown>> = [];
  const rawResults = isRecord(input) && Array.isArray(input.results) ? (input.results as unknown[]) : [];
  rawResults.forEach((r, i) => {
    if (!isRecord(r) || typeof r.unique_id !== 'string' || !r.unique_id.startsWith(TEST_PREFIX)) return;
    const place = [...at.runResults, 'results', i];
    const res = DbtTestResultSchema.safeParse(r);
    if (res.success) {
      tests.push(res.data);
      raws.push(r);
    } else mergeIssues(issues, zodIssues(res.error.issues, place));
    if (!packageOf(r.unique_id))
      mergeIssues(issues, [
        { path: formatPath([...place, 'unique_id']), message: 'a test’s unique_id reads test.<package>.<name>…' }
      ]);
  });

  const testIds = tests.map((t) => t.unique_id);
  const manifest = manifestInput == null ? null : readManifest(manifestInput, testIds, at.manifest, issues);
  if (!top.success || issues.length) return { ok: false, issues };
  const rr = top.data;

  const checks = tests.map((t, i) => toCheck(t, raws[i]!, manifest));
  const starts = tests.flatMap((t) => (t.timing ?? []).map((x) => toIso(x.started_at))).filter((s) => s !== null);
  const ends = tests.flatMap((t) => (t.timing ?? []).map((x) => toIso(x.completed_at))).filter((s) => s !== null);
  const generatedAt = toIso(rr.metadata.generated_at);
  const latestEnd = ends.length ? ends.reduce((a, b) => (a > b ? a : b)) : null;
  const packages = new Set(checks.map((c) => c.dataSource));
  const which = typeof rr.args?.which === 'string' ? rr.args.which : null;
  const { results: _results, ...rest } = rr;
  return {
    ok: true,
    scan: {
      definitionName: which ? `dbt ${which}` : 'dbt',
      defaultDataSource: manifest?.projectName ?? (packages.size === 1 ? [...packages][0]! : null),
      dataTimestamp: generatedAt ?? latestEnd ?? new Date().toISOString(),
      scanStartTimestamp: starts.length ? starts.reduce((a, b) => (a < b ? a : b)) : null,
      scanEndTimestamp: generatedAt ?? latestEnd,
      hasErrors: tests.some(errored),
      hasWarnings: checks.some((c) => c.outcome === 'warn'),
      hasFailures: checks.some((c) => c.outcome === 'fail'),
      checks,
      errors: tests.filter(errored).map((t) => t.message ?? `${t.unique_id}: ${DBT_ERROR_REASON}`),
      raw: manifest?.metadata ? { ...rest, manifestMetadata: manifest.metadata } : rest
    }
  };
}

/** A run_results file of a version we read, and not another dbt artifact sent by mistake. */
function versionIssues(input: unknown, at: PropertyKey[]): ScanIssue[] {
  const version = isRecord(input) && isRecord(input.metadata) ? input.metadata.dbt_schema_version : undefined;
  if (typeof version !== 'string') return [];
  const path = formatPath([...at, 'metadata', 'dbt_schema_version']);
  const m = RUN_RESULTS_SCHEMA.exec(version);
  if (m && Number(m[1]) >= MIN_RUN_RESULTS_VERSION) return [];
  if (m) return [{ path, message: `run-results ${version} is older than v4 (dbt 1.3); rerun with a newer dbt` }];
  const kind = /\/dbt\/([a-z-]+)\/v\d+\.json$/.exec(version)?.[1];
  if (kind === 'manifest')
    return [
      {
        path,
        message:
          'this is a manifest.json: send run_results.json, with the manifest alongside as {"run_results", "manifest"}'
      }
    ];
  return [
    {
      path,
      message: `expected a dbt run_results.json (…/dbt/run-results/v4.json to v6.json), got ${kind ? `a ${kind} artifact` : JSON.stringify(version)}`
    }
  ];
}

function readManifest(input: unknown, testIds: string[], at: PropertyKey[], issues: ScanIssue[]): ManifestView | null {
  const res = DbtManifestSchema.safeParse(input);
  if (!res.success) {
    mergeIssues(issues, zodIssues(res.error.issues, at));
    return null;
  }
  const m = res.data;
  const version = m.metadata?.dbt_schema_version;
  if (version && !version.includes('/manifest/'))
    mergeIssues(issues, [
      {
        path: formatPath([...at, 'metadata', 'dbt_schema_version']),
        message: `expected a dbt manifest.json, got ${JSON.stringify(version)}`
      }
    ]);
  const view: ManifestView = {
    projectName: m.metadata?.project_name ?? null,
    adapterType: m.metadata?.adapter_type ?? null,
    metadata: m.metadata ?? null,
    tests: new Map(),
    relations: new Map()
  };
  // A manifest holds every node of the project; check just the ones this run's tests use.
  for (const id of testIds) {
    if (!Object.hasOwn(m.nodes, id)) continue;
    const node = DbtTestNodeSchema.safeParse(m.nodes[id]);
    if (!node.success) {
      mergeIssues(issues, zodIssues(node.error.issues, [...at, 'nodes', id]));
      continue;
    }
    const relId = testedRelationId(node.data);
    view.tests.set(id, { node: node.data, relId });
    if (!relId || view.relations.has(relId)) continue;
    const where = relId.startsWith('source.') ? 'sources' : 'nodes';
    const table = where === 'sources' ? m.sources : m.nodes;
    if (!table || !Object.hasOwn(table, relId)) continue;
    const rel = DbtRelationNodeSchema.safeParse(table[relId]);
    if (rel.success) view.relations.set(relId, rel.data);
    else mergeIssues(issues, zodIssues(rel.error.issues, [...at, where, relId]));
  }
  return view;
}

const packageOf = (uniqueId: string): string | null => uniqueId.split('.')[1] || null;
const nodeNameOf = (uniqueId: string): string => uniqueId.split('.')[2] || uniqueId;

const REF = /\bref\(\s*(?:['"][^'"]+['"]\s*,\s*)?['"]([^'"]+)['"]/;
const SOURCE = /\bsource\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]/;

/**
 * The model, seed, snapshot or source a test checks. dbt 1.5+ says so (`attached_node`); older
 * manifests only list dependencies, where a relationships test has two, so the `model` argument
 * (`{{ get_where_subquery(ref('orders')) }}`) picks one.
 */
export function testedRelationId(node: DbtTestNode): string | null {
  if (node.attached_node) return node.attached_node;
  const deps = (node.depends_on?.nodes ?? []).filter((id) => RELATION_PREFIXES.some((p) => id.startsWith(p)));
  if (deps.length === 1) return deps[0]!;
  const model = node.test_metadata?.kwargs?.model;
  if (typeof model !== 'string') return null;
  const source = SOURCE.exec(model);
  const target = source ? `${source[1]}.${source[2]}` : REF.exec(model)?.[1];
  return (target && deps.find((id) => id.endsWith(`.${target}`))) || null;
}

/** `not_null`, `dbt_utils.expression_is_true`, or `singular` for a test written as a SQL file. */
function testKind(node: DbtTestNode): string {
  const meta = node.test_metadata;
  if (!meta) return 'singular';
  return meta.namespace ? `${meta.namespace}.${meta.name}` : meta.name;
}

type Zone = { greaterThan?: number; greaterThanOrEqual?: number; lessThan?: number; lessThanOrEqual?: number };
const CONDITION = /^\s*(!=|<>|>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*$/;

/**
 * `warn_if` / `error_if` (`"!= 0"`, `">10"`) as the bad zone of the failures count, in Soda's
 * shape, so the UI draws dbt thresholds like Soda's. `!= 0` is `> 0` because failures are a row
 * count (dbt's default `fail_calc`); conditions that are no zone (`= 3`, SQL) give none.
 */
export function conditionZone(condition: string | null | undefined, failCalc?: string | null): Zone | null {
  const m = condition ? CONDITION.exec(condition) : null;
  if (!m) return null;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>':
      return { greaterThan: n };
    case '>=':
      return { greaterThanOrEqual: n };
    case '<':
      return { lessThan: n };
    case '<=':
      return { lessThanOrEqual: n };
    default:
      return n === 0 && (failCalc ?? 'count(*)').replace(/\s/g, '').toLowerCase() === 'count(*)'
        ? { greaterThan: 0 }
        : null;
  }
}

/** dbt's severity decides which condition applies: a `warn` test never fails. */
function zones(node: DbtTestNode | null): { fail?: Zone; warn?: Zone } {
  const c = node?.config;
  if (!c) return {};
  const failCalc = c.fail_calc;
  const warn = conditionZone(c.warn_if ?? '!= 0', failCalc);
  const fail = c.severity?.toLowerCase() === 'warn' ? null : conditionZone(c.error_if ?? '!= 0', failCalc);
  return { ...(fail ? { fail } : {}), ...(warn ? { warn } : {}) };
}

function outcomeReasons(t: DbtTestResult): ParsedCheckResult['outcomeReasons'] {
  switch (t.status) {
    case 'error':
    case 'runtime error':
      return [{ code: 'error', message: t.message ?? DBT_ERROR_REASON, severity: 'error' }];
    case 'skipped':
      return [{ code: 'skipped', message: t.message ?? SKIPPED_REASON, severity: 'info' }];
    case 'warn':
    case 'fail':
      return t.message
        ? [{ code: t.status, message: t.message, severity: t.status === 'warn' ? 'warning' : 'error' }]
        : [];
    default:
      return [];
  }
}

/** What the test author wrote: the generic test and its arguments, or a singular test's SQL. */
function definitionOf(t: DbtTestResult, node: DbtTestNode | null): string | null {
  if (node?.test_metadata) {
    // `model` is dbt's own `{{ get_where_subquery(ref(…)) }}` plumbing, not the author's.
    const { model: _model, ...args } = node.test_metadata.kwargs ?? {};
    return Object.keys(args).length ? `${testKind(node)} ${canonicalJson(args)}` : testKind(node);
  }
  return node?.raw_code ?? node?.raw_sql ?? t.compiled_code ?? null;
}

function relationLabel(id: string, rel: DbtRelationNode | null): string {
  if (rel?.source_name && rel.name) return `${rel.source_name}.${rel.name}`;
  return rel?.name ?? id.split('.').slice(2).join('.');
}

function toCheck(t: DbtTestResult, raw: Record<string, unknown>, manifest: ManifestView | null): ParsedCheckResult {
  const known = manifest?.tests.get(t.unique_id);
  const node = known?.node ?? null;
  const relId = known?.relId ?? null;
  const rel = relId ? (manifest?.relations.get(relId) ?? null) : null;
  const kwargColumn = node?.test_metadata?.kwargs?.column_name;
  const column = node?.column_name ?? (typeof kwargColumn === 'string' ? kwargColumn : null);
  const kind = node ? testKind(node) : null;
  const target = relId ? relationLabel(relId, rel) : null;
  const name =
    node?.test_metadata && kind
      ? `${kind}${column ? `(${column})` : ''}${target ? ` on ${target}` : ''}`
      : (node?.name ?? nodeNameOf(t.unique_id));

  const attributes: Record<string, unknown> = { source: 'dbt', uniqueId: t.unique_id, package: packageOf(t.unique_id) };
  if (node) {
    attributes.testName = node.name ?? nodeNameOf(t.unique_id);
    if (node.tags?.length) attributes.tags = node.tags;
    if (node.config?.severity) attributes.severity = node.config.severity;
    if (node.original_file_path) attributes.path = node.original_file_path;
    const meta = { ...node.config?.meta, ...node.meta };
    if (Object.keys(meta).length) attributes.meta = meta;
  }
  if (relId) attributes.model = relId;
  if (rel?.database) attributes.database = rel.database;
  if (rel?.schema) attributes.schema = rel.schema;
  if (manifest?.adapterType) attributes.adapter = manifest.adapterType;
  if (t.relation_name) attributes.failuresRelation = t.relation_name;

  // An errored or skipped test reports no failures; a stray number there would read as measured.
  const value = errored(t) || t.status === 'skipped' ? null : (t.failures ?? null);
  return {
    source: 'dbt',
    identity: stableId(t.unique_id),
    dataSource: packageOf(t.unique_id)!,
    table: rel ? (rel.alias ?? rel.identifier ?? rel.name ?? null) : null,
    column,
    name,
    type: kind ?? 'test',
    definition: definitionOf(t, node),
    attributes,
    outcome: OUTCOME[t.status],
    value,
    valueText: null,
    diagnostics: {
      value,
      ...zones(node),
      message: t.message ?? null,
      executionTime: t.execution_time ?? null
    },
    outcomeReasons: outcomeReasons(t),
    raw
  };
}
