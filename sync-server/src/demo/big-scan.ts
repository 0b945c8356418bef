import { IdentityRegistry, mulberry32, round } from './random.ts';
import {
  failedRowsBlock,
  sodaCheck,
  sodaDefinition,
  sodaQuery,
  sodaScan,
  type Outcome,
  type SodaCheckObject
} from './soda-format.ts';

/**
 * One large scan for the ingest benchmark. The set of checks (and so their identities) depends
 * only on `checkCount`, so repeated runs with other seeds append history to the same checks;
 * the seed only moves values and outcomes.
 */

const SOURCES = ['postgres', 'snowflake', 'bigquery', 'redshift', 'databricks'];
const DOMAINS = [
  'orders',
  'customers',
  'events',
  'payments',
  'sessions',
  'invoices',
  'shipments',
  'products',
  'inventory',
  'refunds'
];
const DATASETS = DOMAINS.flatMap((table) => SOURCES.map((dataSource) => ({ dataSource, table }))); // 50
const COLUMNS = [
  'id',
  'email',
  'status',
  'amount',
  'country',
  'created_at',
  'updated_at',
  'user_id',
  'sku',
  'currency',
  'channel',
  'region'
];

/** Default clock for callers that do not care: fixed, so output never depends on the wall clock. */
const DEFAULT_NOW = new Date(Date.UTC(2026, 0, 1, 6, 0, 0));
/** Outcome mix of a healthy large workspace. */
const PASS_SHARE = 0.9;
const WARN_SHARE = 0.07;

interface Template {
  metric: string;
  warn: number;
  fail: number;
  integer: boolean;
  failedRows: boolean;
}

// Every template reads "bad when above": warn when > warn, fail when > fail.
const TEMPLATES: Template[] = [
  { metric: 'missing_count', warn: 10, fail: 100, integer: true, failedRows: true },
  { metric: 'duplicate_count', warn: 0, fail: 20, integer: true, failedRows: true },
  { metric: 'invalid_percent', warn: 1, fail: 5, integer: false, failedRows: true },
  { metric: 'missing_percent', warn: 2, fail: 10, integer: false, failedRows: false },
  { metric: 'avg', warn: 150, fail: 300, integer: false, failedRows: false },
  { metric: 'max', warn: 5000, fail: 20000, integer: true, failedRows: false }
];

function valueFor(t: Template, outcome: Outcome, rnd: () => number): number {
  if (t.integer) {
    if (outcome === 'pass') return Math.floor(rnd() * (t.warn + 1));
    if (outcome === 'warn') return t.warn + 1 + Math.floor(rnd() * (t.fail - t.warn));
    return t.fail + 1 + Math.floor(rnd() * t.fail);
  }
  if (outcome === 'pass') return round(rnd() * t.warn, 2);
  if (outcome === 'warn') return round(t.warn + (t.fail - t.warn) * (0.01 + 0.98 * rnd()), 2);
  return round(t.fail * (1.01 + rnd()), 2);
}

type Dataset = (typeof DATASETS)[number];
type Built = { check: SodaCheckObject; metricName: string; value: number };

/** The one table-level check of a dataset (`row_count`, warn under 1,000 rows, fail on none). */
function rowCountCheck(
  ds: Dataset,
  outcome: Outcome,
  rnd: () => number,
  ids: IdentityRegistry,
  metricId: string
): Built {
  const value =
    outcome === 'fail' ? 0 : outcome === 'warn' ? 500 + Math.floor(rnd() * 499) : 1000 + Math.floor(rnd() * 1e6);
  const line = 'row_count';
  const config = ['warn: when < 1000', 'fail: when = 0'];
  const identity = ids.identity(ds.dataSource, ds.table, sodaDefinition(ds.table, line, undefined, config));
  const diagnostics = {
    blocks: [],
    value,
    fail: { greaterThanOrEqual: 0, lessThanOrEqual: 0 },
    warn: { lessThan: 1000 }
  };
  const check = sodaCheck({
    ...ds,
    identity,
    column: null,
    line,
    config,
    outcome,
    diagnostics,
    fileLine: 2,
    metricIds: [metricId]
  });
  return { check, metricName: 'row_count', value };
}

/** The k-th column check of a dataset (k >= 1); its column makes its text unique in the dataset. */
function columnCheck(
  ds: Dataset,
  k: number,
  t: Template,
  outcome: Outcome,
  rnd: () => number,
  ids: IdentityRegistry,
  metricId: string
): Built {
  const column = `${COLUMNS[k % COLUMNS.length]}${k >= COLUMNS.length ? `_${Math.floor(k / COLUMNS.length)}` : ''}`;
  const line = `${t.metric}(${column})`;
  const config = [`warn: when > ${t.warn}`, `fail: when > ${t.fail}`];
  const identity = ids.identity(ds.dataSource, ds.table, sodaDefinition(ds.table, line, undefined, config));
  const value = valueFor(t, outcome, rnd);
  const query = `${k}.${ds.dataSource}.${ds.table}.${column}.failed_rows[${t.metric}]`;
  const failing = t.integer ? value : Math.round(value * 100);
  const blocks =
    t.failedRows && outcome === 'fail'
      ? [
          failedRowsBlock(
            query,
            [
              ['id', 'int8'],
              [column, 'varchar']
            ],
            failing
          )
        ]
      : [];
  const diagnostics = { blocks, value, fail: { greaterThan: t.fail }, warn: { greaterThan: t.warn } };
  const check = sodaCheck({
    ...ds,
    identity,
    column,
    line,
    config,
    outcome,
    diagnostics,
    fileLine: 2 + k * 4,
    metricIds: [metricId]
  });
  return { check, metricName: t.metric, value };
}

export function bigScan(checkCount: number, seed = 1, now: Date = DEFAULT_NOW): object {
  const rnd = mulberry32(seed);
  const ids = new IdentityRegistry();
  const checks: SodaCheckObject[] = [];
  const metrics: Array<{ identity: string; metricName: string; value: unknown }> = [];
  for (let i = 0; i < checkCount; i++) {
    const ds = DATASETS[i % DATASETS.length]!;
    const k = Math.floor(i / DATASETS.length); // the k-th check of this dataset
    const r = rnd();
    const outcome: Outcome = r < PASS_SHARE ? 'pass' : r < PASS_SHARE + WARN_SHARE ? 'warn' : 'fail';
    const metricId = `metric-benchmark-${ds.dataSource}-${ds.table}-${k}`;
    const built =
      k === 0
        ? rowCountCheck(ds, outcome, rnd, ids, metricId)
        : columnCheck(ds, k, TEMPLATES[(k + i) % TEMPLATES.length]!, outcome, rnd, ids, metricId);
    checks.push(built.check);
    metrics.push({ identity: metricId, metricName: built.metricName, value: built.value });
  }
  const queries = DATASETS.map((d) =>
    sodaQuery(
      `${d.dataSource}.${d.table}.aggregation[0]`,
      d.dataSource,
      d.table,
      null,
      `SELECT COUNT(*) FROM ${d.table}`
    )
  );
  const at = now.getTime();
  return sodaScan({
    definitionName: 'benchmark',
    dataSource: 'postgres',
    at,
    durationMs: 95_000,
    checks,
    metrics,
    queries
  });
}
