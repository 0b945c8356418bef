import { describe, expect, it } from 'vitest';
import { formatCheckValue, formatDuration, formatResultValue, valueUnit } from './format.ts';
import { bandLabel, failedRowsBlocks, inBand, thresholdZones, zoneBands } from './diagnostics.ts';
import { parseSodaScan } from '../soda/parse.ts';
import { readFileSync } from 'node:fs';

const orders: unknown = JSON.parse(
  readFileSync(new URL('../soda/fixtures/soda-scan-orders.json', import.meta.url), 'utf8')
);

describe('check value formatter', () => {
  it('[CV1] freshness values are durations: by measure "time", by valueText, by the metric', () => {
    expect(valueUnit({ name: 'Orders are fresh', diagnostics: { measure: 'time' } })).toBe('duration');
    expect(valueUnit({ name: 'Orders are fresh', valueText: '1 day, 3:30:00' })).toBe('duration');
    expect(valueUnit({ name: 'freshness(created_at) < 1d' })).toBe('duration');
    expect(formatCheckValue(99_000_000, 'duration')).toBe('1d 3h 30m');
    expect(formatCheckValue(99_000_000, 'duration', { compact: true })).toBe('1.15d');
    expect(formatResultValue({ name: 'Orders are fresh' }, { value: 99_000_000, valueText: '1 day, 3:30:00' })).toBe(
      '1d 3h 30m'
    );
    expect(formatDuration(45 * 60_000 + 10_000)).toBe('45m 10s');
    expect(formatDuration(2 * 86_400_000)).toBe('2d');
    expect(formatDuration(250)).toBe('250ms');
  });

  it('[CV2] counts, percentages and other numbers by the metric the check names', () => {
    expect(valueUnit({ name: 'row_count > 0' })).toBe('count');
    expect(valueUnit({ name: 'missing_count(email) = 0' })).toBe('count');
    expect(valueUnit({ name: 'missing_percent(email) < 5%' })).toBe('percent');
    expect(valueUnit({ name: 'duplicate_percent(id) < 1' })).toBe('percent');
    expect(valueUnit({ name: 'avg(amount) between 10 and 20' })).toBe('number');
    // A custom name defers to the SodaCL definition, then to a dbt / GX test type.
    expect(valueUnit({ name: 'Orders volume', definition: 'checks for orders:\n  - row_count > 1000:' })).toBe('count');
    expect(valueUnit({ name: 'not_null(order_id) on orders', type: 'not_null' })).toBe('count');
    expect(valueUnit({ name: 'Order ids present', type: 'not_null' })).toBe('count');
    expect(formatCheckValue(1234, 'count')).toBe('1,234 rows');
    expect(formatCheckValue(1, 'count')).toBe('1 row');
    expect(formatCheckValue(108_782_600, 'count', { compact: true })).toBe('109M');
    expect(formatCheckValue(2.456, 'percent')).toBe('2.46%');
    expect(formatCheckValue(0.123456, 'number')).toBe('0.1235');
    expect(formatCheckValue(null, 'count')).toBe('—');
  });
});

describe('diagnostics', () => {
  it('[CV3] warn / fail zones become bands: half lines, between, and split zones', () => {
    expect(zoneBands({ lessThanOrEqual: 0 })).toEqual([{ min: null, max: 0, minInclusive: false, maxInclusive: true }]);
    expect(zoneBands({ greaterThanOrEqual: 0, lessThanOrEqual: 0 })).toEqual([
      { min: 0, max: 0, minInclusive: true, maxInclusive: true }
    ]);
    const eqZero = zoneBands({ greaterThan: 0, lessThan: 0 });
    expect(eqZero).toHaveLength(2);
    expect(eqZero.some((b) => inBand(0, b))).toBe(false);
    expect(eqZero.some((b) => inBand(3, b))).toBe(true);
    expect(eqZero.some((b) => inBand(-1, b))).toBe(true);
    expect(zoneBands({ greaterThan: 1, lessThan: 10 }).map((b) => bandLabel(b))).toEqual(['> 1 and < 10']);
    expect(zoneBands(null)).toEqual([]);
    const z = thresholdZones({ fail: { greaterThan: '5' }, warn: { greaterThan: 1 } });
    expect(z.fail[0].min).toBe(5);
    expect(z.warn[0].min).toBe(1);
  });

  it('[CV4] failed-rows blocks: columns, counts, notes and sample rows when present', () => {
    const scan = parseSodaScan(orders);
    if (!scan.ok) throw new Error('fixture must parse');
    const missing = scan.scan.checks.find((c) => c.name.startsWith('missing_count'))!;
    const [block] = failedRowsBlocks(missing.diagnostics);
    expect(block.columns.map((c) => c.name)).toEqual(['id', 'email', 'amount']);
    expect(block.failingRows).toBe(3);
    expect(block.sampledRows).toBe(3);
    expect(block.rows).toEqual([]);
    expect(block.note).toBe('Samples are not sent to Soda Cloud');
    const withRows = failedRowsBlocks({
      blocks: [
        {
          type: 'failedRowsAnalysis',
          file: { columns: [{ name: 'id' }, { name: 'email' }] },
          rows: [{ id: 1, email: null }, [2, '']]
        },
        { type: 'somethingElse' }
      ]
    });
    expect(withRows).toHaveLength(1);
    expect(withRows[0].rows).toEqual([
      [1, null],
      [2, '']
    ]);
    expect(failedRowsBlocks({ blocks: 'nope' })).toEqual([]);
  });
});
