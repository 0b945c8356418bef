/**
 * One way to say a check's value, wherever it appears: the check page, results tables, an
 * incident's linked results, chart axes and tooltips. The unit comes from the check (its metric,
 * as the name or SodaCL definition spells it, or the dbt / GX test type) and, for freshness,
 * from the result itself (`valueText`, `diagnostics.measure: "time"`).
 */

/**
 * - `duration`: milliseconds (Soda's freshness value), shown as "1d 3h 30m".
 * - `percent`: already in percent (Soda's `missing_percent` 2.5 = 2.5 %), shown as "2.5%".
 * - `count`: a number of rows, shown as "1,234 rows".
 * - `number`: anything else (averages, ratios, sums), 4 significant digits.
 */
export type ValueUnit = 'duration' | 'percent' | 'count' | 'number';

export interface ValueSubject {
  name?: string | null;
  type?: string | null;
  definition?: string | null;
  valueText?: string | null;
  diagnostics?: Record<string, unknown> | null;
}

const DURATION_METRIC = /\b(freshness|fresh|age|latency|staleness)\s*\(/i;
const PERCENT_METRIC = /\b\w*_(percent|pct|percentage)\b|%/i;
const COUNT_METRIC = /\b(row_count|\w+_count|failed_rows|unexpected_count|count)\b/i;
/** dbt and GX tests whose value is a number of failing rows. */
const COUNT_TYPES =
  /^(not_null|unique|accepted_values|relationships|singular|test|dbt_utils\.|dbt_expectations\.|expect_column_values_to_)/;
/** "1 day, 3:30:00", "3:30:00", "2 days, 0:00:01.5" as Python prints a timedelta. */
const TIMEDELTA_TEXT = /^\s*(-?\d+ days?, )?-?\d+:\d\d:\d\d(\.\d+)?\s*$/;

/** The unit a check's values are in (see `ValueUnit`). */
export function valueUnit(s: ValueSubject): ValueUnit {
  if (s.diagnostics?.measure === 'time') return 'duration';
  if (typeof s.valueText === 'string' && TIMEDELTA_TEXT.test(s.valueText)) return 'duration';
  // The name first: it is what people see; a custom name ("Orders volume") defers to the definition.
  for (const text of [s.name, s.definition]) {
    if (!text) continue;
    if (DURATION_METRIC.test(text)) return 'duration';
    if (PERCENT_METRIC.test(text)) return 'percent';
    if (COUNT_METRIC.test(text)) return 'count';
  }
  if (s.type && COUNT_TYPES.test(s.type)) return 'count';
  return 'number';
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const DURATION_PARTS: Array<[size: number, suffix: string]> = [
  [DAY, 'd'],
  [HOUR, 'h'],
  [MINUTE, 'm'],
  [SECOND, 's']
];

/** "1d 3h 30m", "45m 10s", "12s", "250ms": the two largest non-zero parts. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  if (rest < SECOND) return `${sign}${Math.round(rest)}ms`;
  const parts: string[] = [];
  for (const [size, suffix] of DURATION_PARTS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n || parts.length) parts.push(`${n}${suffix}`);
    if (parts.length === 3) break;
  }
  // Drop trailing zero parts ("2d 0h 0m" → "2d").
  while (parts.length > 1 && /^0\D/.test(parts[parts.length - 1])) parts.pop();
  return sign + parts.join(' ');
}

/** The largest duration unit that fits `ms` (for axis ticks in whole hours, days…). */
export function durationStep(ms: number): { size: number; suffix: string } {
  const abs = Math.abs(ms);
  for (const [size, suffix] of DURATION_PARTS) if (abs >= size) return { size, suffix };
  return { size: 1, suffix: 'ms' };
}

const NUMBER = new Intl.NumberFormat('en', { maximumFractionDigits: 6 });
const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumSignificantDigits: 3 });

function plain(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en') : NUMBER.format(Number(v.toPrecision(4)));
}

export interface FormatOptions {
  /** Axis ticks: "109M", "1.5d", no "rows" suffix. */
  compact?: boolean;
}

/** A check value in its unit; `—` when there is none. */
export function formatCheckValue(value: number | null | undefined, unit: ValueUnit, opts: FormatOptions = {}): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'duration': {
      if (!opts.compact) return formatDuration(value);
      const { size, suffix } = durationStep(value);
      return `${Number((value / size).toPrecision(3))}${suffix}`;
    }
    case 'percent':
      return `${Number(value.toPrecision(value >= 100 ? 5 : 3)).toLocaleString('en')}%`;
    case 'count': {
      const n = Math.abs(value) >= 10_000 && opts.compact ? COMPACT.format(value) : plain(value);
      return opts.compact ? n : `${n} ${value === 1 ? 'row' : 'rows'}`;
    }
    default:
      return opts.compact && Math.abs(value) >= 10_000 ? COMPACT.format(value) : plain(value);
  }
}

/** A result's value as its check says it: `valueUnit` of the check and the result together. */
export function formatResultValue(
  check: ValueSubject | null | undefined,
  result: { value: number | null; valueText?: string | null; diagnostics?: Record<string, unknown> | null }
): string {
  const unit = valueUnit({
    ...check,
    valueText: result.valueText ?? check?.valueText,
    diagnostics: result.diagnostics
  });
  return formatCheckValue(result.value, unit);
}
