/**
 * What a check result's Soda-shaped `diagnostics` say beyond the value: the warn / fail zones
 * (for the chart's threshold bands) and the failed-rows blocks (columns, counts, sample rows).
 * dbt and GX results are written in the same shape by their parsers.
 */

/** A band of bad values, `min`/`max` null for unbounded; `*Inclusive` says whether the edge is bad too. */
export interface ValueBand {
  min: number | null;
  max: number | null;
  minInclusive: boolean;
  maxInclusive: boolean;
}

export interface ThresholdZones {
  fail: ValueBand[];
  warn: ValueBand[];
}

const num = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : null;

/**
 * Soda's zone `{greaterThan?, greaterThanOrEqual?, lessThan?, lessThanOrEqual?}` as bands.
 * One bound: the half line beyond it. A lower bound below the upper one (or equal, both
 * inclusive): the values between. Otherwise the zone is split: below the upper bound or above
 * the lower one (`= 0` is `{greaterThan: 0, lessThan: 0}`: everything but 0).
 */
export function zoneBands(zone: unknown): ValueBand[] {
  if (typeof zone !== 'object' || zone === null) return [];
  const z = zone as Record<string, unknown>;
  const gt = num(z.greaterThan);
  const ge = num(z.greaterThanOrEqual);
  const lt = num(z.lessThan);
  const le = num(z.lessThanOrEqual);
  const lower = gt ?? ge;
  const upper = lt ?? le;
  const lowerInc = gt === null && ge !== null;
  const upperInc = lt === null && le !== null;
  if (lower === null && upper === null) return [];
  if (upper === null) return [{ min: lower, max: null, minInclusive: lowerInc, maxInclusive: false }];
  if (lower === null) return [{ min: null, max: upper, minInclusive: false, maxInclusive: upperInc }];
  if (lower < upper || (lower === upper && lowerInc && upperInc))
    return [{ min: lower, max: upper, minInclusive: lowerInc, maxInclusive: upperInc }];
  return [
    { min: null, max: upper, minInclusive: false, maxInclusive: upperInc },
    { min: lower, max: null, minInclusive: lowerInc, maxInclusive: false }
  ];
}

/** The fail and warn bands of a result's diagnostics (none when it has no thresholds). */
export function thresholdZones(diagnostics: Record<string, unknown> | null | undefined): ThresholdZones {
  return { fail: zoneBands(diagnostics?.fail), warn: zoneBands(diagnostics?.warn) };
}

/** Whether a value lies in a band. */
export function inBand(v: number, b: ValueBand): boolean {
  const aboveMin = b.min === null || v > b.min || (b.minInclusive && v === b.min);
  const belowMax = b.max === null || v < b.max || (b.maxInclusive && v === b.max);
  return aboveMin && belowMax;
}

/** "> 0", "≤ 5", "between 1 and 10", each bound formatted by `fmt`. */
export function bandLabel(b: ValueBand, fmt: (v: number) => string = String): string {
  if (b.min !== null && b.max !== null) {
    if (b.min === b.max) return `= ${fmt(b.min)}`;
    return `${b.minInclusive ? '≥' : '>'} ${fmt(b.min)} and ${b.maxInclusive ? '≤' : '<'} ${fmt(b.max)}`;
  }
  if (b.min !== null) return `${b.minInclusive ? '≥' : '>'} ${fmt(b.min)}`;
  if (b.max !== null) return `${b.maxInclusive ? '≤' : '<'} ${fmt(b.max)}`;
  return 'any value';
}

export interface FailedRowsColumn {
  name: string;
  type: string | null;
}

/** One failed-rows block of a result: what Soda knows about the rows that failed. */
export interface FailedRows {
  title: string;
  columns: FailedRowsColumn[];
  /** Rows that failed the check, when known. */
  failingRows: number | null;
  /** Rows sampled (and stored) by Soda. */
  sampledRows: number | null;
  /** Sample rows, aligned with `columns`, when a sampler sent them along. */
  rows: unknown[][];
  /** Why there are no samples ("Samples are not sent to Soda Cloud"), or a CSV block's text. */
  note: string | null;
}

const FAILED_ROWS_TYPES = new Set(['failedRowsAnalysis', 'file', 'failedRows', 'csv']);

function rowsOf(raw: unknown, columns: FailedRowsColumn[]): unknown[][] {
  if (!Array.isArray(raw)) return [];
  return raw.map((r) =>
    Array.isArray(r)
      ? r
      : typeof r === 'object' && r !== null
        ? columns.map((c) => (r as Record<string, unknown>)[c.name])
        : [r]
  );
}

/** The failed-rows blocks of a result's diagnostics, in their order; unknown block types are skipped. */
export function failedRowsBlocks(diagnostics: Record<string, unknown> | null | undefined): FailedRows[] {
  const blocks = diagnostics?.blocks;
  if (!Array.isArray(blocks)) return [];
  const out: FailedRows[] = [];
  for (const b of blocks) {
    if (typeof b !== 'object' || b === null) continue;
    const block = b as Record<string, unknown>;
    if (typeof block.type !== 'string' || !FAILED_ROWS_TYPES.has(block.type)) continue;
    const file = (typeof block.file === 'object' && block.file !== null ? block.file : {}) as Record<string, unknown>;
    const columns: FailedRowsColumn[] = (
      Array.isArray(file.columns) ? file.columns : Array.isArray(block.columns) ? block.columns : []
    )
      .map((c: unknown) =>
        typeof c === 'string'
          ? { name: c, type: null }
          : typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string'
            ? {
                name: (c as { name: string }).name,
                type: typeof (c as { type?: unknown }).type === 'string' ? (c as { type: string }).type : null
              }
            : null
      )
      .filter((c): c is FailedRowsColumn => c !== null);
    const reference = file.reference as { message?: unknown } | undefined;
    const note =
      block.type === 'csv' && typeof block.text === 'string'
        ? block.text
        : typeof reference?.message === 'string' && reference.message
          ? reference.message
          : null;
    out.push({
      title: typeof block.title === 'string' && block.title ? block.title : 'Failed rows',
      columns,
      failingRows: num(block.totalFailingRows) ?? num(file.totalRowCount),
      sampledRows: num(block.sampleRowCount) ?? num(file.storedRowCount),
      rows: rowsOf(block.rows ?? file.rows, columns),
      note
    });
  }
  return out;
}
