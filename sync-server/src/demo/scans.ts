import { DEMO_DATASETS, type DemoCheck, type DemoDataset } from './demo-catalog.ts';
import { IdentityRegistry, hash32, mulberry32, round } from './random.ts';
import {
  failedRowsBlock,
  freshnessDiagnostics,
  outcomeFor,
  schemaDiagnostics,
  sodaCheck,
  sodaDefinition,
  sodaQuery,
  sodaScan,
  type Outcome,
  type SodaCheckObject,
  type Zone
} from './soda-format.ts';

/**
 * Deterministic Soda Core scan results for the demo workspace and the ingest benchmark. Pure:
 * no clock, no I/O; the same arguments give byte-identical objects.
 */

const DAY_MS = 86_400_000;
const DEMO_DAYS = 14;
/** Anomaly bands around the expectation: beyond ±20 % warns, beyond ±35 % fails. */
const ANOMALY_WARN = 0.2;
const ANOMALY_FAIL = 0.35;
/** How many earlier days the anomaly expectation averages over. */
const ANOMALY_WINDOW = 7;

interface Prepared {
  check: DemoCheck;
  identity: string;
  metricId: string;
  /** One measurement per day, oldest first. */
  values: number[];
}

const metricIdentity = (definition: string, ds: DemoDataset, c: DemoCheck) =>
  `metric-${definition}-${ds.dataSource}-${ds.table}${c.column ? `-${c.column}` : ''}-${c.metric}`;

function prepare(ds: DemoDataset, c: DemoCheck, ids: IdentityRegistry): Prepared {
  const text = sodaDefinition(ds.table, c.line, c.name, c.config);
  // Seeded by the metric, not the check, so two checks on one metric see the same measurement.
  const metricId = metricIdentity(ds.definition, ds, c);
  const values = Array.from({ length: DEMO_DAYS }, (_, day) => {
    const v = c.series ? c.series(day, mulberry32(hash32(metricId) ^ Math.imul(day + 1, 0x9e3779b1))) : 0;
    return c.integer ? Math.max(0, Math.round(v)) : c.kind === 'freshness' ? Math.round(v / 1000) * 1000 : round(v, 2);
  });
  return { check: c, identity: ids.identity(ds.dataSource, ds.table, text), metricId, values };
}

interface Evaluated {
  outcome: Outcome | null;
  diagnostics: Record<string, unknown>;
  metricValue?: unknown;
}

function anomaly(p: Prepared, day: number): Evaluated {
  const v = p.values[day]!;
  const history = p.values.slice(Math.max(0, day - ANOMALY_WINDOW), day);
  const expected = history.length ? history.reduce((a, b) => a + b, 0) / history.length : v;
  // Outside bands as Soda writes them: the lower bound above the upper bound means "either tail".
  const band = (k: number): Zone => ({
    greaterThanOrEqual: round(expected * (1 + k), 2),
    lessThanOrEqual: round(expected * (1 - k), 2)
  });
  const fail = band(ANOMALY_FAIL);
  const warn = band(ANOMALY_WARN);
  const deviation = expected ? Math.abs(v - expected) / expected : 0;
  return {
    outcome: outcomeFor(v, fail, warn),
    metricValue: v,
    diagnostics: {
      blocks: [],
      value: v,
      fail,
      warn,
      anomalyProbability: round(Math.min(0.999, deviation / ANOMALY_FAIL / 1.2), 3),
      anomalyPredictedValue: round(expected, 2),
      anomalyErrorSeverity: 'pass',
      anomalyErrorCode: '',
      anomalyErrorMessage: ''
    }
  };
}

function schema(ds: DemoDataset, c: DemoCheck, day: number): Evaluated {
  const events = c.schemaEvents && day >= c.schemaEvents.fromDay ? [c.schemaEvents] : [];
  const added = events.filter((e) => e.event === 'Column Added').map((e) => [e.column, 'VARCHAR'] as const);
  const columns = [...ds.columns, ...added];
  return {
    outcome: events.some((e) => e.outcome === 'fail') ? 'fail' : events.length ? 'warn' : 'pass',
    diagnostics: schemaDiagnostics(columns, events),
    metricValue: columns.map(([name, type]) => ({ name, type }))
  };
}

/** Rows behind a count (the count itself) or a percentage (of a nominal 10,000-row table). */
const failingRows = (c: DemoCheck, v: number) => Math.max(1, c.metric.endsWith('_percent') ? Math.round(v * 100) : v);

function evaluate(ds: DemoDataset, p: Prepared, day: number, at: number, failedRowsQuery: string): Evaluated {
  const c = p.check;
  const v = p.values[day]!;
  if (c.kind === 'schema') return schema(ds, c, day);
  if (c.kind === 'anomaly') return anomaly(p, day);
  const outcome = outcomeFor(v, c.fail, c.warn);
  if (c.kind === 'freshness')
    return { outcome, diagnostics: freshnessDiagnostics(v, at, c.fail, c.warn), metricValue: v };
  const zones = { ...(c.fail ? { fail: c.fail } : {}), ...(c.warn ? { warn: c.warn } : {}) };
  const blocks =
    c.failedRows && outcome !== 'pass' ? [failedRowsBlock(failedRowsQuery, ds.columns, failingRows(c, v))] : [];
  return { outcome, metricValue: v, diagnostics: { blocks, value: v, ...zones } };
}

function demoScan(ds: DemoDataset, prepared: Prepared[], day: number, at: number) {
  const { dataSource, table } = ds;
  const checks: SodaCheckObject[] = [];
  const metrics = new Map<string, { identity: string; metricName: string; value: unknown }>();
  const aggregation = sodaQuery(
    `${dataSource}.${table}.aggregation[0]`,
    dataSource,
    table,
    null,
    `SELECT COUNT(*) FROM ${table}`
  );
  const queries = [aggregation];
  const errors: string[] = [];
  prepared.forEach((p, i) => {
    const c = p.check;
    const column = c.column ?? null;
    const base = {
      identity: p.identity,
      dataSource,
      table,
      column,
      line: c.line,
      name: c.name,
      config: c.config,
      attributes: c.attributes,
      fileLine: 2 + i * 3,
      type: c.kind === 'anomaly' ? ('anomalyDetection' as const) : ('generic' as const)
    };
    if (c.errorOn?.day === day) {
      errors.push(`Query execution error in ${c.errorOn.query}: ${c.errorOn.message}`);
      errors.push(`Metrics '${c.metric}' were not computed for check '${c.name ?? c.line}'`);
      queries.push(sodaQuery(c.errorOn.query, dataSource, table, column, `SELECT … FROM ${table}`, c.errorOn.message));
      checks.push(sodaCheck({ ...base, metricIds: [], outcome: null, diagnostics: { blocks: [] } }));
      return;
    }
    const failedRowsQuery = `${i + 1}.${dataSource}.${table}.${column ?? ''}.failed_rows[${c.metric}]`;
    const ev = evaluate(ds, p, day, at, failedRowsQuery);
    if ((ev.diagnostics.blocks as Array<{ type: string }>).some((b) => b.type === 'failedRowsAnalysis'))
      queries.push(
        sodaQuery(failedRowsQuery, dataSource, table, column, `SELECT * FROM ${table} WHERE NOT (${c.line})`)
      );
    metrics.set(p.metricId, { identity: p.metricId, metricName: c.metric, value: ev.metricValue });
    checks.push(sodaCheck({ ...base, metricIds: [p.metricId], outcome: ev.outcome, diagnostics: ev.diagnostics }));
  });
  const durationMs = 2000 + Math.floor(mulberry32(hash32(ds.definition) ^ day)() * 38_000);
  const definitionName = ds.definition;
  return sodaScan({
    definitionName,
    dataSource,
    at,
    durationMs,
    checks,
    metrics: [...metrics.values()],
    queries,
    errors
  });
}

/**
 * A demo workspace's history: every scan definition run once a day for the last 14 days, the
 * newest shortly before `now`. Oldest first, so ingesting in order builds the history.
 */
export function demoScans(now: Date): object[] {
  const nowMs = now.getTime();
  const ids = new IdentityRegistry();
  const scans: Array<{ at: number; scan: object }> = [];
  for (const ds of DEMO_DATASETS) {
    const prepared = ds.checks.map((c) => prepare(ds, c, ids));
    for (let day = 0; day < DEMO_DAYS; day++) {
      const at = nowMs - (DEMO_DAYS - 1 - day) * DAY_MS - ds.minutesBeforeNow * 60_000;
      scans.push({ at, scan: demoScan(ds, prepared, day, at) });
    }
  }
  return scans.sort((a, b) => a.at - b.at).map((s) => s.scan);
}

export { bigScan } from './big-scan.ts';
