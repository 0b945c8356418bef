import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedScan, ParseResult } from '../ingest/result.ts';
import { parseGxValidation } from './parse.ts';
import { gxTimestamp } from './schema.ts';

type Json = Record<string, any>;
function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}
const v018 = () => fixture('gx-0.18-validation.json');
const v1 = () => fixture('gx-1.x-validation.json');
const checkpoint = () => fixture('gx-1.x-checkpoint.json');

function ok(input: unknown): ParsedScan {
  const res: ParseResult = parseGxValidation(input);
  if (!res.ok) throw new Error(`expected a valid validation result, got ${JSON.stringify(res.issues)}`);
  return res.scan;
}
function issues(input: unknown): Array<{ path: string; message: string }> {
  const res = parseGxValidation(input);
  if (res.ok) throw new Error('expected the validation result to be rejected');
  return res.issues;
}
const paths = (input: unknown) =>
  issues(input)
    .map((i) => i.path)
    .sort();

/** A 0.18 checkpoint result: each validation wrapped with its actions' results. */
function checkpoint018(...validations: Json[]): Json {
  return {
    run_id: { run_name: 'nightly-2024-05-02', run_time: '2024-05-02T09:00:00.512870+00:00' },
    run_results: Object.fromEntries(
      validations.map((v, i) => [
        `ValidationResultIdentifier::${v.meta.expectation_suite_name}/nightly-2024-05-02/20240502T090000.512870Z/${i}`,
        { validation_result: v, actions_results: { store_validation_result: { class: 'StoreValidationResultAction' } } }
      ])
    ),
    checkpoint_config: { name: 'orders_nightly', class_name: 'Checkpoint', config_version: 1 },
    success: false
  };
}

describe('parseGxValidation', () => {
  it('[GX1] parses a GX 0.18 validation result: one check per expectation result', () => {
    const scan = ok(v018());
    expect(scan.checks.map((c) => [c.type, c.column, c.outcome, c.value])).toEqual([
      ['expect_table_row_count_to_be_between', null, 'pass', 12480],
      ['expect_column_values_to_not_be_null', 'customer_id', 'pass', 0],
      ['expect_column_values_to_be_in_set', 'status', 'fail', 37],
      ['expect_column_values_to_match_regex', 'email', null, null],
      ['expect_table_columns_to_match_ordered_list', null, 'fail', null],
      ['expect_column_mean_to_be_between', 'amount', 'pass', 54.21]
    ]);
    for (const c of scan.checks) expect(c).toMatchObject({ source: 'gx', dataSource: 'warehouse', table: 'orders' });
    expect(scan).toMatchObject({ definitionName: 'orders_nightly', defaultDataSource: 'warehouse', hasFailures: true });
  });

  it('[GX1] parses a GX 1.x validation result (type, suite_name, expectation ids)', () => {
    const scan = ok(v1());
    expect(scan.checks.map((c) => [c.type, c.column, c.outcome, c.value])).toEqual([
      ['expect_column_values_to_be_between', 'passenger_count', 'pass', 0],
      ['expect_column_values_to_not_be_null', 'vendor_id', 'fail', 128],
      ['expect_compound_columns_to_be_unique', null, 'fail', 2],
      ['expect_column_distinct_values_to_be_in_set', 'payment_type', 'pass', null],
      ['expect_column_max_to_be_between', 'tip_amount', null, null],
      ['expect_table_row_count_to_equal', null, 'pass', 10000]
    ]);
    for (const c of scan.checks) expect(c).toMatchObject({ dataSource: 'nyc_taxi', table: 'trips' });
    expect(scan.definitionName).toBe('taxi_trips');
    expect(Object.keys(scan.raw).sort()).toEqual([
      'id',
      'meta',
      'statistics',
      'success',
      'suite_name',
      'suite_parameters'
    ]);
    expect((scan.checks[0]!.raw as Json).expectation_config.id).toBe('5f2c3a4e-1b6d-4c8e-9a0f-2e7d6b5c4a31');
  });

  it('[GX2] an exception means not evaluated, with its message, flat or keyed by metric', () => {
    const a = ok(v018());
    expect(a.checks[3]!.outcomeReasons).toEqual([
      { code: 'exception', message: expect.stringContaining('operator does not exist'), severity: 'error' }
    ]);
    const b = ok(v1());
    expect(b.checks[4]!.outcomeReasons).toEqual([
      {
        code: 'exception',
        message: expect.stringContaining('"tip_amount" in BatchData does not exist'),
        severity: 'error'
      }
    ]);
    expect(b.checks[4]!.diagnostics!.exceptionInfo).toMatchObject({ raised_exception: true });
    expect(a.hasErrors && b.hasErrors).toBe(true);
    expect(b.errors).toEqual([expect.stringContaining('MetricResolutionError')]);
    expect(a.hasWarnings || b.hasWarnings).toBe(false);
    // success: null without an exception is "not evaluated" too, with no reason to give
    const body = v1();
    body.results[0].success = null;
    expect(ok(body).checks[0]).toMatchObject({ outcome: null, outcomeReasons: [] });
  });

  it('[GX3] takes unexpected_count, else a numeric observed value, else the observed value as text', () => {
    const scan = ok(v018());
    expect(scan.checks[4]).toMatchObject({
      value: null,
      valueText: '["order_id","customer_id","status","amount","created_at"]'
    });
    expect(scan.checks[0]).toMatchObject({ value: 12480, valueText: null });
    expect(ok(v1()).checks[3]).toMatchObject({ value: null, valueText: '[1,2,3,4]' });
    const body = v1();
    body.results[3].result = { observed_value: 'snake_case' };
    body.results[5].result = { observed_value: '10000' };
    body.results[0].result.observed_value = 'ignored: unexpected_count wins';
    body.results[1].result = { observed_value: 'x'.repeat(2000) };
    const checks = ok(body).checks;
    expect(checks[3]).toMatchObject({ value: null, valueText: 'snake_case' });
    expect(checks[5]).toMatchObject({ value: 10000, valueText: null });
    expect(checks[0]).toMatchObject({ value: 0, valueText: null });
    expect(checks[1]!.valueText!.length).toBe(500);
    expect(checks[1]!.valueText!.endsWith('…')).toBe(true);
  });

  it('[GX4] identities are stable across runs and batches, and differ across expectations', () => {
    const a = ok(v1()).checks.map((c) => c.identity);
    expect(new Set(a).size).toBe(a.length);
    for (const id of a) expect(id).toMatch(/^[0-9a-f]{16}$/);
    // Another run of the same suite on another batch of the asset, kwargs in another order.
    const rerun = v1();
    rerun.meta.run_id.run_time = '2024-11-19T06:00:00+00:00';
    rerun.meta.active_batch_definition.batch_identifiers = { year: '2024', month: '02' };
    for (const r of rerun.results) {
      const { batch_id: _b, ...kwargs } = r.expectation_config.kwargs;
      r.expectation_config.kwargs = Object.fromEntries(Object.entries(kwargs).reverse());
      r.expectation_config.kwargs.batch_id = 'nyc_taxi-trips-2024-02';
      r.expectation_config.kwargs.result_format = 'COMPLETE';
    }
    expect(ok(rerun).checks.map((c) => c.identity)).toEqual(a);
    // 0.18 and 1.x spell the type differently; the same expectation is the same check.
    const spelled = v1();
    for (const r of spelled.results) {
      r.expectation_config.expectation_type = r.expectation_config.type;
      delete r.expectation_config.type;
    }
    expect(ok(spelled).checks.map((c) => c.identity)).toEqual(a);
  });

  it('[GX4] the suite, the asset and the kwargs are part of the identity', () => {
    const base = ok(v1()).checks[0]!.identity;
    const suite = v1();
    suite.suite_name = 'taxi_trips_strict';
    const asset = v1();
    asset.meta.active_batch_definition.data_asset_name = 'trips_2023';
    const kwargs = v1();
    kwargs.results[0].expectation_config.kwargs.max_value = 8;
    for (const body of [suite, asset, kwargs]) expect(ok(body).checks[0]!.identity).not.toBe(base);
    // one suite over two assets: the checkpoint's two validations give six distinct checks
    const ids = ok(checkpoint()).checks.map((c) => c.identity);
    expect(new Set(ids).size).toBe(6);
    expect(base).toBe('7d17e6be74f23797');
  });

  it('[GX5] keeps sampled unexpected values as a failed-rows block, rows aligned with columns', () => {
    const scan = ok(v018());
    expect(scan.checks[2]!.diagnostics!.blocks).toEqual([
      {
        type: 'failedRowsAnalysis',
        title: 'Sample of unexpected values',
        file: { columns: [{ name: 'status', type: null }], totalRowCount: 37, storedRowCount: 5 },
        totalFailingRows: 37,
        rows: [['cancelled'], ['refunded'], ['cancelled'], ['cancelled'], ['refunded']]
      }
    ]);
    expect(scan.checks[2]!.diagnostics).toMatchObject({
      value: 37,
      element_count: 12480,
      partial_unexpected_counts: [
        { value: 'cancelled', count: 3 },
        { value: 'refunded', count: 2 }
      ]
    });
    const compound = ok(v1()).checks[2]!.diagnostics!.blocks as Json[];
    expect(compound[0]!.file.columns.map((c: Json) => c.name)).toEqual(['pickup_datetime', 'vendor_id']);
    expect(compound[0]!.rows).toEqual([
      ['2024-01-15 08:12:00', 2],
      ['2024-01-15 08:12:00', 2]
    ]);
    expect(scan.checks[1]!.diagnostics!.blocks).toEqual([]);
  });

  it('[GX6] flattens every validation of a GX 1.x checkpoint result', () => {
    const scan = ok(checkpoint());
    expect(scan.checks.map((c) => [c.table, c.column, c.outcome, c.value])).toEqual([
      ['orders', null, 'pass', 12480],
      ['orders', 'order_id', 'pass', 0],
      ['orders', 'order_id', 'pass', 0],
      ['customers', null, 'pass', 3120],
      ['customers', 'customer_id', 'fail', 6],
      ['customers', 'customer_id', 'pass', 0]
    ]);
    expect(scan).toMatchObject({
      definitionName: 'nightly_warehouse',
      defaultDataSource: 'warehouse',
      dataTimestamp: '2024-11-18T06:30:00.125Z',
      hasFailures: true,
      hasErrors: false
    });
    expect(scan.raw).not.toHaveProperty('run_results');
    expect((scan.raw.validations as Json[]).map((v) => v.key)).toEqual([
      'ValidationResultIdentifier::table_health/__none__/20241118T063000.125004Z/warehouse-orders',
      'ValidationResultIdentifier::table_health/__none__/20241118T063000.125004Z/warehouse-customers'
    ]);
  });

  it('[GX6] flattens a GX 0.18 checkpoint result, whose validations are wrapped with their actions', () => {
    const other = v018();
    other.meta.expectation_suite_name = 'orders.warning';
    other.meta.active_batch_definition.datasource_name = 'replica';
    const scan = ok(checkpoint018(v018(), other));
    expect(scan.checks).toHaveLength(12);
    expect(scan.definitionName).toBe('orders_nightly');
    expect(scan.defaultDataSource).toBeNull();
    expect(scan.checks.slice(0, 6)).toEqual(ok(v018()).checks);
    expect(new Set(scan.checks.map((c) => c.dataSource))).toEqual(new Set(['warehouse', 'replica']));
  });

  it('[GX7] names a check by its description, else by its type and meaningful kwargs', () => {
    const scan = ok(v1());
    expect(scan.checks.map((c) => c.name)).toEqual([
      'expect_column_values_to_be_between(passenger_count, max_value=6, min_value=1)',
      'Every trip has a vendor',
      'expect_compound_columns_to_be_unique(column_list=["pickup_datetime","vendor_id"])',
      'expect_column_distinct_values_to_be_in_set(payment_type, value_set=[1,2,3,4,5,6])',
      'expect_column_max_to_be_between(tip_amount, max_value=100, min_value=0)',
      'expect_table_row_count_to_equal(value=10000)'
    ]);
    // GX's spelled-out defaults (null bounds, false flags) are left out
    expect(ok(v018()).checks[0]!.name).toBe('expect_table_row_count_to_be_between(min_value=1000)');
    expect(scan.checks[1]!.attributes).toEqual({
      source: 'gx',
      suite: 'taxi_trips',
      expectationId: '8d1e6c2b-7a3f-4e5d-b9c0-1f2a3b4c5d6e',
      severity: 'critical',
      dataConnector: 'fluent',
      gxVersion: '1.3.5'
    });
    expect(ok(v018()).checks[2]!.attributes.meta).toMatchObject({ notes: { format: 'markdown' } });
    expect(JSON.parse(scan.checks[0]!.definition!)).toEqual({
      type: 'expect_column_values_to_be_between',
      kwargs: { column: 'passenger_count', min_value: 1, max_value: 6 }
    });
  });

  it('[GX8] reports every offending path of a malformed validation result', () => {
    const body = v1();
    delete body.suite_name;
    delete body.results[1].expectation_config.type;
    body.results[2].success = 'yes';
    body.results[3].result.partial_unexpected_list = 'none';
    delete body.results[4].expectation_config;
    body.meta.validation_time = 'this morning';
    delete body.meta.active_batch_definition;
    body.results.push(null);
    expect(paths(body)).toEqual([
      'meta.active_batch_definition.datasource_name',
      'meta.validation_time',
      'results[1].expectation_config.type',
      'results[2].success',
      'results[3].result.partial_unexpected_list',
      'results[4].expectation_config',
      'results[6]',
      'suite_name'
    ]);
    expect(issues(body).find((i) => i.path === 'suite_name')!.message).toMatch(/meta\.expectation_suite_name/);
  });

  it('[GX8] reports paths inside a checkpoint result under their quoted validation keys', () => {
    const cp = checkpoint();
    const [first, second] = Object.keys(cp.run_results);
    cp.run_results[first!].results[0].expectation_config.kwargs = 'min_value=1';
    delete cp.run_results[second!].suite_name;
    expect(paths(cp)).toEqual(
      [
        `run_results[${JSON.stringify(first)}].results[0].expectation_config.kwargs`,
        `run_results[${JSON.stringify(second)}].suite_name`
      ].sort()
    );
    const wrapped = checkpoint018(v018());
    const key = Object.keys(wrapped.run_results)[0]!;
    wrapped.run_results[key].validation_result.results[0].success = 1;
    expect(paths(wrapped)).toEqual([`run_results[${JSON.stringify(key)}].validation_result.results[0].success`]);
    expect(paths({ ...checkpoint(), run_results: {} })).toEqual(['run_results']);
    expect(
      paths({ results: 'none', suite_name: 's', meta: { active_batch_definition: { datasource_name: 'd' } } })
    ).toEqual(['results']);
  });

  it('[GX9] says so when it gets describe() output or an expectation suite instead of results', () => {
    const described = { success: false, statistics: {}, expectations: [{ expectation_type: 'x', success: true }] };
    expect(issues(described)).toEqual([{ path: '(root)', message: expect.stringContaining('describe()') }]);
    expect(issues({ success: true, statistics: {}, validation_results: [] })[0]!.message).toContain('to_json_dict()');
    const suite = { name: 'taxi_trips', expectations: [{ type: 'expect_table_row_count_to_equal', kwargs: {} }] };
    expect(issues(suite)).toEqual([{ path: '(root)', message: expect.stringContaining('expectation suite') }]);
  });

  it('[GX10] reads GX timestamps as UTC: data timestamp = run time, scan end = validation time', () => {
    expect(gxTimestamp('20240502T090003.118305Z')).toBe('2024-05-02T09:00:03.118Z');
    expect(gxTimestamp('20240502T090003Z')).toBe('2024-05-02T09:00:03.000Z');
    expect(gxTimestamp('2024-05-02T11:00:00+02:00')).toBe('2024-05-02T09:00:00.000Z');
    expect(gxTimestamp('20240502')).toBeNull();
    expect(ok(v018())).toMatchObject({
      dataTimestamp: '2024-05-02T09:00:00.512Z',
      scanStartTimestamp: '2024-05-02T09:00:00.512Z',
      scanEndTimestamp: '2024-05-02T09:00:03.118Z'
    });
    const noRun = v018();
    delete noRun.meta.run_id;
    expect(ok(noRun).dataTimestamp).toBe('2024-05-02T09:00:03.118Z');
  });
});
