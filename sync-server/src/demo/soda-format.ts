/**
 * Builders for Soda Core 3.x scan results in the `soda scan -srf` shape (see spec/soda.md and
 * shared/src/soda/fixtures/soda-scan-orders.json). Pure: every timestamp comes in as an argument.
 */

export type Outcome = 'pass' | 'warn' | 'fail';

/** A bad zone as Soda writes it in `diagnostics.fail` / `diagnostics.warn`. */
export interface Zone {
  greaterThan?: number;
  greaterThanOrEqual?: number;
  lessThan?: number;
  lessThanOrEqual?: number;
}

export const above = (v: number): Zone => ({ greaterThan: v });
export const below = (v: number): Zone => ({ lessThan: v });
export const atMost = (v: number): Zone => ({ lessThanOrEqual: v });
/** Bad unless exactly `v` (Soda's zone for `= v`). */
export const notEqual = (v: number): Zone => ({ greaterThan: v, lessThan: v });
/** Bad outside [lo, hi] (Soda's zone for `between lo and hi`). */
export const outside = (lo: number, hi: number): Zone => ({ greaterThan: hi, lessThan: lo });

/**
 * Whether `v` lies in a zone. With a lower and an upper bound, Soda means the interval between
 * them when lower < upper (`fail: when = 0` → >= 0 and <= 0) and the two tails otherwise
 * (`= 0` → > 0 or < 0; `between 40 and 120` → > 120 or < 40).
 */
export function inZone(v: number, z: Zone | undefined): boolean {
  if (!z) return false;
  const lo = z.greaterThan ?? z.greaterThanOrEqual;
  const hi = z.lessThan ?? z.lessThanOrEqual;
  const aboveLo = z.greaterThan !== undefined ? v > z.greaterThan : lo !== undefined && v >= lo;
  const belowHi = z.lessThan !== undefined ? v < z.lessThan : hi !== undefined && v <= hi;
  if (lo === undefined) return belowHi;
  if (hi === undefined) return aboveLo;
  const inclusive = z.greaterThanOrEqual !== undefined && z.lessThanOrEqual !== undefined;
  return lo < hi || (lo === hi && inclusive) ? aboveLo && belowHi : aboveLo || belowHi;
}

export function outcomeFor(v: number, fail?: Zone, warn?: Zone): Outcome {
  return inZone(v, fail) ? 'fail' : inZone(v, warn) ? 'warn' : 'pass';
}

/** Soda's timestamp format: `2024-05-02T09:00:03+00:00`. */
export const sodaTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');

/** Python's `str(timedelta)`: `1 day, 2:03:04`, `3 days, 0:00:10`, `5:03:04`. */
export function timedelta(ms: number): string {
  const s = Math.floor(ms / 1000);
  const days = Math.floor(s / 86_400);
  const two = (n: number) => String(n).padStart(2, '0');
  const hms = `${Math.floor((s % 86_400) / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}

export type Columns = ReadonlyArray<readonly [name: string, type: string]>;

/** The block Soda writes for a failed missing / invalid / duplicate check (samples not inside). */
export function failedRowsBlock(queryName: string, columns: Columns, failing: number) {
  const stored = Math.min(failing, 100); // Soda's default samples limit
  return {
    type: 'failedRowsAnalysis',
    title: 'Failed Rows Analysis',
    file: {
      columns: columns.map(([name, type]) => ({ name, type })),
      totalRowCount: failing,
      storedRowCount: stored,
      reference: {
        type: 'noFile',
        message: 'Samples are not sent to Soda Cloud',
        link: { href: null, text: null },
        fileId: ''
      }
    },
    failingRowsQueryName: `${queryName}.failing_sql`,
    passingRowsQueryName: `${queryName}.passing_sql`,
    totalFailingRows: failing,
    sampleRowCount: stored
  };
}

export function freshnessDiagnostics(valueMs: number, nowMs: number, fail?: Zone, warn?: Zone) {
  const max = sodaTime(nowMs - valueMs).replace('T', ' ');
  const now = sodaTime(nowMs).replace('T', ' ');
  return {
    blocks: [],
    value: valueMs, // milliseconds, as Soda's freshness check reports it
    ...(fail ? { fail } : {}),
    ...(warn ? { warn } : {}),
    measure: 'time',
    maxColumnTimestamp: max,
    maxColumnTimestampUtc: max,
    nowVariableName: 'NOW',
    nowTimestamp: now,
    nowTimestampUtc: now,
    freshness: timedelta(valueMs)
  };
}

/** An entry of the scan's `queries` (the SQL Soda ran); kept minimal. */
export function sodaQuery(
  name: string,
  dataSource: string,
  table: string,
  column: string | null,
  sql: string,
  exception: string | null = null
) {
  const duration = exception ? '0:00:00.002100' : '0:00:00.031200';
  return { name, dataSource, table, partition: null, column, sql, exception, duration };
}

export interface SchemaEvent {
  column: string;
  event: string;
  details?: string;
  outcome: 'warn' | 'fail';
}

/** Soda's schema check diagnostics: the measured schema and the change events as CSV blocks. */
export function schemaDiagnostics(columns: Columns, events: SchemaEvent[]) {
  const blocks: Array<Record<string, unknown>> = [
    { type: 'csv', title: 'Schema', text: `Column,Type\n${columns.map(([n, t]) => `${n},${t}`).join('\n')}` }
  ];
  if (events.length)
    blocks.push({
      type: 'csv',
      title: 'Diagnostics',
      text: `Column,Event,Details\n${events.map((e) => `${e.column},:icon-${e.outcome}: ${e.event}, ${e.details ?? ''}`).join('\n')}`
    });
  const count = (o: string) => events.filter((e) => e.outcome === o).length;
  return {
    blocks,
    preferredChart: 'bars',
    valueLabel: `${events.length} schema event(s)`,
    valueSeries: {
      values: [
        { label: 'fail', value: count('fail'), outcome: 'fail' },
        { label: 'warn', value: count('warn'), outcome: 'warn' },
        { label: 'pass', value: columns.length - events.length, outcome: 'pass' }
      ]
    }
  };
}

export interface CheckInput {
  identity: string;
  dataSource: string;
  table: string;
  column: string | null;
  /** The SodaCL check line, e.g. `missing_count(email) = 0`. */
  line: string;
  /** `name:` when configured; Soda shows the line otherwise. */
  name?: string;
  /** Further YAML lines under the check (`warn: when > 5`), without indentation. */
  config?: readonly string[];
  type?: 'generic' | 'anomalyDetection';
  attributes?: Record<string, unknown>;
  fileLine: number;
  metricIds: string[];
  outcome: Outcome | null;
  diagnostics: Record<string, unknown>;
}

export function sodaDefinition(table: string, line: string, name?: string, config: readonly string[] = []): string {
  const extra = [...(name ? [`name: ${name}`] : []), ...config];
  if (!extra.length) return `checks for ${table}:\n  - ${line}`;
  return `checks for ${table}:\n  - ${line}:\n${extra.map((l) => `      ${l}\n`).join('')}`;
}

/** One check result as `-srf` writes it. Identities v1/v2 stand in for Soda's older hash versions. */
export function sodaCheck(c: CheckInput) {
  const attrs = Object.entries(c.attributes ?? {});
  const config = [
    ...(attrs.length ? ['attributes:', ...attrs.map(([k, v]) => `  ${k}: ${v}`)] : []),
    ...(c.config ?? [])
  ];
  return {
    identity: c.identity,
    identities: { v1: rotate(c.identity, 3), v2: rotate(c.identity, 5), v3: c.identity },
    migratedIdentities: null,
    name: c.name ?? c.line,
    type: c.type ?? 'generic',
    definition: sodaDefinition(c.table, c.line, c.name, config),
    resourceAttributes: attrs.map(([name, value]) => ({ name, value })),
    location: { filePath: `checks/${c.table}.yml`, line: c.fileLine, col: 5 },
    dataSource: c.dataSource,
    table: c.table,
    column: c.column,
    metrics: c.metricIds,
    outcome: c.outcome,
    diagnostics: c.diagnostics,
    source: 'soda-core'
  };
}

const rotate = (hex: string, by: number) => hex.slice(by) + hex.slice(0, by);

export type SodaCheckObject = ReturnType<typeof sodaCheck>;

export interface ScanInput {
  definitionName: string;
  dataSource: string;
  /** Epoch ms of the data timestamp; the scan starts then and takes `durationMs`. */
  at: number;
  durationMs: number;
  checks: SodaCheckObject[];
  metrics: Array<{ identity: string; metricName: string; value: unknown }>;
  queries: Array<Record<string, unknown>>;
  /** Error log messages: why a check could not be evaluated. */
  errors?: string[];
}

function summary(checks: SodaCheckObject[], errors: number): string {
  const n = (o: Outcome) => checks.filter((c) => c.outcome === o).length;
  const [fail, warn, pass] = [n('fail'), n('warn'), n('pass')];
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  if (!fail && !warn && !errors) return `All is good. No failures. No warnings. No errors.`;
  // Soda Core's closing line, e.g. "Oops! 1 failure. 1 warning. 0 errors. 1 pass."
  const counts = `${plural(fail, 'failure')}. ${plural(warn, 'warning')}. ${plural(errors, 'error')}. ${pass} pass.`;
  return `${fail || errors ? 'Oops!' : 'Only'} ${counts}`;
}

/** One scan results object as `soda scan -srf results.json` writes it. */
export function sodaScan(s: ScanInput) {
  const start = sodaTime(s.at);
  const end = sodaTime(s.at + s.durationMs);
  const errors = s.errors ?? [];
  const logs = [
    { level: 'info', message: 'Soda Core 3.5.6', timestamp: start, index: 0 },
    { level: 'info', message: `Scan summary:`, timestamp: end, index: 1 },
    ...errors.map((message, i) => ({ level: 'error', message, timestamp: end, index: 2 + i })),
    { level: 'info', message: summary(s.checks, errors.length), timestamp: end, index: 2 + errors.length }
  ];
  return {
    definitionName: s.definitionName,
    defaultDataSource: s.dataSource,
    dataTimestamp: start,
    scanStartTimestamp: start,
    scanEndTimestamp: end,
    hasErrors: errors.length > 0,
    hasWarnings: s.checks.some((c) => c.outcome === 'warn'),
    hasFailures: s.checks.some((c) => c.outcome === 'fail'),
    metrics: s.metrics,
    checks: s.checks,
    queries: s.queries,
    automatedMonitoringChecks: [],
    profiling: [],
    metadata: [],
    logs,
    sourceOwner: 'soda-core'
  };
}

export type SodaScanObject = ReturnType<typeof sodaScan>;
