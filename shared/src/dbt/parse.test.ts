import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ParsedCheckResult, ParsedScan, ParseResult } from '../ingest/result.ts';
import { conditionZone, parseDbtBody, parseDbtRunResults } from './parse.ts';

type Json = Record<string, any>;
function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}
const v4 = () => fixture('run_results.v4.json');
const v5 = () => fixture('run_results.v5.json');
const v6 = () => fixture('run_results.v6.json');
const manifest = () => fixture('manifest.json');

function ok(res: ParseResult): ParsedScan {
  if (!res.ok) throw new Error(`expected valid run results, got ${JSON.stringify(res.issues)}`);
  return res.scan;
}
function issues(res: ParseResult): Array<{ path: string; message: string }> {
  if (res.ok) throw new Error('expected the run results to be rejected');
  return res.issues;
}
const paths = (res: ParseResult) =>
  issues(res)
    .map((i) => i.path)
    .sort();

const ID = {
  unique: 'test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1',
  notNull: 'test.jaffle_shop.not_null_orders_order_id.cf6c17daed',
  accepted:
    'test.jaffle_shop.accepted_values_orders_status__placed__shipped__completed__return_pending__returned.be6b5b5ec3',
  relationships: 'test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_customers_.c6ec7f58f2',
  singular: 'test.jaffle_shop.assert_total_payment_amount_is_positive',
  expression: 'test.jaffle_shop.dbt_utils_expression_is_true_orders_amount_0.9a1b5e2c4d',
  between:
    'test.jaffle_shop.dbt_expectations_expect_column_values_to_be_between_stg_payments_amount__100000__0.4b9e2a1c7d',
  sourceNotNull: 'test.jaffle_shop.source_not_null_jaffle_raw_payments_id.8a2f0c3b1e'
};

const byId = (scan: ParsedScan, uniqueId: string): ParsedCheckResult => {
  const c = scan.checks.find((x) => x.attributes.uniqueId === uniqueId);
  if (!c) throw new Error(`no check for ${uniqueId}`);
  return c;
};

/** A minimal run_results file around the given results. */
const runResults = (results: unknown[], over: Json = {}): Json => ({
  metadata: {
    dbt_schema_version: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
    dbt_version: '1.9.1',
    generated_at: '2024-11-18T06:00:02.187645Z',
    invocation_id: 'x'
  },
  results,
  elapsed_time: 1.5,
  args: { which: 'test' },
  ...over
});
const testResult = (over: Json = {}): Json => ({
  status: 'pass',
  timing: [],
  thread_id: 'Thread-1 (worker)',
  execution_time: 0.1,
  adapter_response: {},
  message: null,
  failures: 0,
  unique_id: ID.unique,
  ...over
});

describe('parseDbtRunResults', () => {
  it('[DB1] parses run results v4, v5 and v6: one check per test, other nodes ignored', () => {
    for (const file of [v4(), v5(), v6()]) {
      const scan = ok(parseDbtRunResults(file));
      expect(scan.checks.map((c) => c.attributes.uniqueId)).toEqual([
        ID.sourceNotNull,
        ID.unique,
        ID.notNull,
        ID.accepted,
        ID.relationships,
        ID.singular,
        ID.expression,
        ID.between
      ]);
      expect(scan.checks.every((c) => c.source === 'dbt')).toBe(true);
    }
    // The fixtures also hold a seed, models (one failed) and, in v6, a unit test.
    expect(v6().results.map((r: Json) => r.unique_id.split('.')[0])).toEqual(
      expect.arrayContaining(['seed', 'model', 'unit_test'])
    );
  });

  it('[DB1] does not validate the results of nodes that are not tests', () => {
    const file = runResults([
      { unique_id: 'model.shop.orders', status: 'partial success', timing: 'n/a', failures: 'many' },
      { unique_id: 'snapshot.shop.orders_snapshot', status: 'success' },
      { unique_id: 'unit_test.shop.orders.test_totals', status: 'odd' },
      testResult()
    ]);
    expect(ok(parseDbtRunResults(file)).checks).toHaveLength(1);
  });

  it('[DB2] maps pass, warn and fail to outcomes; error and skipped are not evaluated, with the reason', () => {
    const scan = ok(parseDbtRunResults(v6()));
    expect(scan.checks.map((c) => [c.outcome, c.value])).toEqual([
      ['pass', 0],
      ['pass', 0],
      ['pass', 0],
      ['warn', 12],
      ['fail', 3],
      ['pass', 0],
      [null, null],
      [null, null]
    ]);
    const error = byId(scan, ID.expression);
    expect(error.outcomeReasons).toEqual([
      { code: 'error', message: expect.stringContaining('column "amount" does not exist'), severity: 'error' }
    ]);
    expect(scan.errors).toEqual([expect.stringContaining('Database Error in test dbt_utils_expression_is_true')]);
    const skipped = byId(scan, ID.between);
    expect(skipped.outcomeReasons).toEqual([
      { code: 'skipped', message: expect.stringContaining('upstream'), severity: 'info' }
    ]);
    expect(byId(scan, ID.relationships).outcomeReasons).toEqual([
      { code: 'fail', message: 'Got 3 results, configured to fail if != 0', severity: 'error' }
    ]);
    expect(byId(scan, ID.unique).outcomeReasons).toEqual([]);
  });

  it('[DB2] reads runtime error as error and statuses in any case', () => {
    const scan = ok(
      parseDbtRunResults(
        runResults([
          testResult({ status: 'runtime error', failures: null, message: 'Runtime Error: relation missing' }),
          testResult({ unique_id: ID.notNull, status: 'FAIL', failures: 2 }),
          testResult({ unique_id: ID.accepted, status: 'Warn', failures: 1 })
        ])
      )
    );
    expect(scan.checks.map((c) => c.outcome)).toEqual([null, 'fail', 'warn']);
    expect(scan.checks[0]!.outcomeReasons[0]).toMatchObject({
      code: 'error',
      message: 'Runtime Error: relation missing'
    });
    expect(scan.hasErrors).toBe(true);
    // raw is the result as received, status spelling included
    expect(scan.checks[1]!.raw.status).toBe('FAIL');
  });

  it('[DB3] takes failures as the value and turns warn_if / error_if into zones by severity', () => {
    const scan = ok(parseDbtRunResults(v6(), manifest()));
    expect(byId(scan, ID.relationships).diagnostics).toMatchObject({
      value: 3,
      fail: { greaterThan: 0 },
      warn: { greaterThan: 0 },
      message: 'Got 3 results, configured to fail if != 0'
    });
    // severity: warn — the test never fails, so it has no fail zone
    const accepted = byId(scan, ID.accepted).diagnostics!;
    expect(accepted.warn).toEqual({ greaterThan: 0 });
    expect(accepted).not.toHaveProperty('fail');
    expect(byId(scan, ID.between).diagnostics).toMatchObject({ warn: { greaterThan: 0 }, fail: { greaterThan: 10 } });
    // without a manifest nothing tells the thresholds
    expect(ok(parseDbtRunResults(v6())).checks[4]!.diagnostics).not.toHaveProperty('fail');
  });

  it('[DB3] reads only simple numeric conditions as zones', () => {
    expect(conditionZone('>= 5')).toEqual({ greaterThanOrEqual: 5 });
    expect(conditionZone('<10')).toEqual({ lessThan: 10 });
    expect(conditionZone('<= 2.5')).toEqual({ lessThanOrEqual: 2.5 });
    expect(conditionZone('<> 0')).toEqual({ greaterThan: 0 });
    expect(conditionZone('!= 0', 'sum(amount)')).toBeNull();
    expect(conditionZone('!= 3')).toBeNull();
    expect(conditionZone('= 0')).toBeNull();
    expect(conditionZone('between 1 and 3')).toBeNull();
    expect(conditionZone(null)).toBeNull();
  });

  it('[DB4] gives each test a stable 16-hex identity, the same in every version and with or without a manifest', () => {
    const runs = [v4(), v5(), v6()].map((f) => ok(parseDbtRunResults(f)).checks.map((c) => c.identity));
    const enriched = ok(parseDbtRunResults(v6(), manifest())).checks.map((c) => c.identity);
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[2]).toEqual(runs[0]);
    expect(enriched).toEqual(runs[0]);
    expect(new Set(runs[0]).size).toBe(runs[0]!.length);
    for (const id of runs[0]!) expect(id).toMatch(/^[0-9a-f]{16}$/);
    // pinned: a change of the hash would split every stored history
    expect(byId(ok(parseDbtRunResults(v6())), ID.unique).identity).toBe('ec0318c30294ad18');
  });

  it('[DB4] takes the data source from the unique_id, whether or not a manifest came', () => {
    const bare = ok(parseDbtRunResults(v6()));
    const enriched = ok(parseDbtRunResults(v6(), manifest()));
    expect(new Set(bare.checks.map((c) => c.dataSource))).toEqual(new Set(['jaffle_shop']));
    expect(enriched.checks.map((c) => c.dataSource)).toEqual(bare.checks.map((c) => c.dataSource));
    const other = ok(parseDbtRunResults(runResults([testResult({ unique_id: 'test.dbt_utils.not_null_x_id.1' })])));
    expect(other.checks[0]!.dataSource).toBe('dbt_utils');
  });

  it('[DB5] takes the model, column, kind and name of each test from the manifest', () => {
    const scan = ok(parseDbtRunResults(v6(), manifest()));
    const rows = scan.checks.map((c) => [c.table, c.column, c.type, c.name]);
    expect(rows).toEqual([
      ['payment', 'id', 'not_null', 'not_null(id) on jaffle_raw.payments'],
      ['customers', 'customer_id', 'unique', 'unique(customer_id) on customers'],
      ['orders', 'order_id', 'not_null', 'not_null(order_id) on orders'],
      ['orders', 'status', 'accepted_values', 'accepted_values(status) on orders'],
      ['orders', 'customer_id', 'relationships', 'relationships(customer_id) on orders'],
      ['orders', null, 'singular', 'assert_total_payment_amount_is_positive'],
      ['orders', null, 'dbt_utils.expression_is_true', 'dbt_utils.expression_is_true on orders'],
      [
        'stg_payments',
        'amount',
        'dbt_expectations.expect_column_values_to_be_between',
        'dbt_expectations.expect_column_values_to_be_between(amount) on stg_payments'
      ]
    ]);
    expect(byId(scan, ID.notNull).attributes).toEqual({
      source: 'dbt',
      uniqueId: ID.notNull,
      package: 'jaffle_shop',
      testName: 'not_null_orders_order_id',
      tags: ['finance', 'marts'],
      severity: 'ERROR',
      path: 'models/marts/schema.yml',
      meta: { owner: 'finance-data' },
      model: 'model.jaffle_shop.orders',
      database: 'analytics',
      schema: 'prod',
      adapter: 'postgres'
    });
    expect(byId(scan, ID.sourceNotNull).attributes).toMatchObject({ database: 'raw', schema: 'stripe' });
    expect(byId(scan, ID.relationships).attributes.failuresRelation).toContain('prod_dbt_test__audit');
    expect(byId(scan, ID.accepted).definition).toBe(
      'accepted_values {"column_name":"status","values":["placed","shipped","completed","return_pending","returned"]}'
    );
    expect(byId(scan, ID.singular).definition).toContain("from {{ ref('orders') }}");
    expect(scan.defaultDataSource).toBe('jaffle_shop');
    expect(scan.raw.manifestMetadata).toMatchObject({ project_name: 'jaffle_shop', adapter_type: 'postgres' });
  });

  it('[DB5] without a manifest names a check after its test node and leaves table and column empty', () => {
    const scan = ok(parseDbtRunResults(v5()));
    expect(byId(scan, ID.relationships)).toMatchObject({
      name: 'relationships_orders_customer_id__customer_id__ref_customers_',
      type: 'test',
      table: null,
      column: null,
      attributes: {
        source: 'dbt',
        uniqueId: ID.relationships,
        package: 'jaffle_shop',
        failuresRelation: expect.any(String)
      }
    });
    // v5+ carry the compiled SQL, the best definition there is without the manifest
    expect(byId(scan, ID.unique).definition).toContain('having count(*) > 1');
    expect(byId(ok(parseDbtRunResults(v4())), ID.unique).definition).toBeNull();
  });

  it('[DB5] finds the tested model in older manifests without attached_node', () => {
    const m = manifest();
    for (const id of Object.keys(m.nodes)) if (id.startsWith('test.')) delete m.nodes[id].attached_node;
    const scan = ok(parseDbtRunResults(v6(), m));
    // relationships depends on customers and orders: its `model` argument picks orders
    expect(byId(scan, ID.relationships).table).toBe('orders');
    expect(byId(scan, ID.sourceNotNull).table).toBe('payment');
    expect(scan.checks.map((c) => c.table)).toEqual(
      ok(parseDbtRunResults(v6(), manifest())).checks.map((c) => c.table)
    );
    // where dbt names the attached node, it wins over the arguments
    const named = manifest();
    named.nodes[ID.relationships].attached_node = 'model.jaffle_shop.customers';
    expect(byId(ok(parseDbtRunResults(v6(), named)), ID.relationships).table).toBe('customers');
  });

  it('[DB5] reads a test the manifest does not know as if there were no manifest', () => {
    const m = manifest();
    delete m.nodes[ID.unique];
    const scan = ok(parseDbtRunResults(v6(), m));
    expect(byId(scan, ID.unique)).toMatchObject({ name: 'unique_customers_customer_id', table: null, type: 'test' });
    expect(byId(scan, ID.notNull).table).toBe('orders');
  });

  it('[DB6] describes the run: command, timestamps, flags and the top-level keys', () => {
    const scan = ok(parseDbtRunResults(v6()));
    expect(scan).toMatchObject({
      definitionName: 'dbt build',
      defaultDataSource: 'jaffle_shop',
      dataTimestamp: '2024-11-18T06:00:02.187Z',
      scanStartTimestamp: '2024-11-18T06:00:00.420Z',
      scanEndTimestamp: '2024-11-18T06:00:02.187Z',
      hasErrors: true,
      hasWarnings: true,
      hasFailures: true
    });
    expect(Object.keys(scan.raw).sort()).toEqual(['args', 'elapsed_time', 'metadata']);
    const quiet = ok(parseDbtRunResults(runResults([testResult()], { args: undefined })));
    expect(quiet).toMatchObject({ definitionName: 'dbt', hasErrors: false, hasWarnings: false, hasFailures: false });
    const noStamp = runResults([
      testResult({
        timing: [{ name: 'execute', started_at: '2024-01-01T00:00:00Z', completed_at: '2024-01-01T00:00:05Z' }]
      })
    ]);
    delete noStamp.metadata.generated_at;
    expect(ok(parseDbtRunResults(noStamp)).dataTimestamp).toBe('2024-01-01T00:00:05.000Z');
  });

  it('[DB7] reports every offending path of a malformed file', () => {
    const file = runResults([
      testResult(),
      testResult({ unique_id: ID.notNull, status: 'exploded' }),
      testResult({ unique_id: ID.accepted, failures: 'twelve' }),
      testResult({ unique_id: ID.relationships, timing: [{ name: 'execute', started_at: 'at dawn' }] }),
      { status: 'pass' },
      'not a result',
      testResult({ unique_id: 'test.' })
    ]);
    file.metadata.generated_at = 'yesterday';
    expect(paths(parseDbtRunResults(file))).toEqual([
      'metadata.generated_at',
      'results[1].status',
      'results[2].failures',
      'results[3].timing[0].started_at',
      'results[4].unique_id',
      'results[5]',
      'results[6].unique_id'
    ]);
    expect(issues(parseDbtRunResults(file)).find((i) => i.path === 'results[1].status')!.message).toMatch(
      /pass, warn, fail, error or skipped/
    );
  });

  it('[DB7] names the whole file, its metadata or its results when they have the wrong shape', () => {
    for (const body of [null, 42, 'run_results', [testResult()]])
      expect(paths(parseDbtRunResults(body))).toEqual(['(root)']);
    expect(paths(parseDbtRunResults({ results: [] }))).toEqual(['metadata']);
    expect(paths(parseDbtRunResults(runResults('none' as never)))).toEqual(['results']);
  });

  it('[DB7] reports bad manifest nodes under manifest., with node ids quoted', () => {
    const m = manifest();
    m.nodes[ID.unique].test_metadata = { kwargs: {} };
    m.nodes[ID.notNull].tags = 'finance';
    m.nodes['model.jaffle_shop.orders'].alias = 7;
    m.nodes['test.jaffle_shop.unused_test'] = 'a broken node no result refers to';
    expect(paths(parseDbtRunResults(v6(), m))).toEqual([
      'manifest.nodes["model.jaffle_shop.orders"].alias',
      'manifest.nodes["test.jaffle_shop.not_null_orders_order_id.cf6c17daed"].tags',
      'manifest.nodes["test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1"].test_metadata.name'
    ]);
    expect(paths(parseDbtRunResults(v6(), { metadata: {} }))).toEqual(['manifest.nodes']);
    expect(paths(parseDbtRunResults(v6(), 'manifest.json'))).toEqual(['manifest']);
  });

  it('[DB8] rejects other dbt artifacts and old run-results versions, saying what they are', () => {
    const old = runResults([testResult()]);
    old.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/run-results/v3.json';
    expect(issues(parseDbtRunResults(old))).toEqual([
      { path: 'metadata.dbt_schema_version', message: expect.stringContaining('older than v4') }
    ]);
    // only what it is, not every way a manifest differs from run results
    expect(issues(parseDbtRunResults(manifest()))).toEqual([
      { path: 'metadata.dbt_schema_version', message: expect.stringContaining('this is a manifest.json') }
    ]);
    const sources = runResults([]);
    sources.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/sources/v3.json';
    expect(issues(parseDbtRunResults(sources))[0]!.message).toContain('a sources artifact');
    expect(paths(parseDbtRunResults(v6(), { ...v6(), nodes: {} }))).toEqual(['manifest.metadata.dbt_schema_version']);
    // a later version reads by the same fields
    const later = runResults([testResult()]);
    later.metadata.dbt_schema_version = 'https://schemas.getdbt.com/dbt/run-results/v7.json';
    expect(ok(parseDbtRunResults(later)).checks).toHaveLength(1);
  });

  it('[DB10] parses runs of tens of thousands of tests, with their manifest', () => {
    const n = 20_000;
    const m = manifest();
    const template = m.nodes[ID.notNull];
    const results = Array.from({ length: n }, (_, i) => {
      const id = `test.jaffle_shop.not_null_orders_c${i}.${i.toString(16).padStart(10, '0')}`;
      m.nodes[id] = { ...template, unique_id: id, column_name: `c${i}` };
      return testResult({ unique_id: id, status: i % 7 ? 'pass' : 'fail', failures: i % 7 ? 0 : i });
    });
    const scan = ok(parseDbtRunResults(runResults(results), m));
    expect(scan.checks).toHaveLength(n);
    expect(new Set(scan.checks.map((c) => c.identity)).size).toBe(n);
    expect(scan.checks[7]).toMatchObject({ column: 'c7', table: 'orders', outcome: 'fail', value: 7 });
  });

  it('[DB9] reads the {run_results, manifest} body like the two files, with paths under its keys', () => {
    const bundled = ok(parseDbtBody({ run_results: v6(), manifest: manifest() }));
    expect(bundled).toEqual(ok(parseDbtRunResults(v6(), manifest())));
    expect(ok(parseDbtBody(v6()))).toEqual(ok(parseDbtRunResults(v6())));
    expect(ok(parseDbtBody({ run_results: v4() })).checks).toHaveLength(8);

    const bad = v6();
    bad.results[5].status = 'unknown';
    const m = manifest();
    m.nodes[ID.unique].column_name = ['customer_id'];
    expect(paths(parseDbtBody({ run_results: bad, manifest: m }))).toEqual([
      'manifest.nodes["test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1"].column_name',
      'run_results.results[5].status'
    ]);
    expect(paths(parseDbtBody({ manifest: manifest() }))).toEqual(['run_results']);
  });
});
