import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDbtRunResults } from '../dbt/parse.ts';
import { parseGxValidation } from '../gx/parse.ts';
import { parseSodaScan } from '../soda/parse.ts';
import { detectFormat, parseCheckResults, UNRECOGNIZED_BODY, type DetectedParse } from './detect.ts';
import { canonicalJson, formatPath, stableId } from './result.ts';

type Json = Record<string, any>;
const read = (path: string): Json => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const soda = {
  srf: () => read('../soda/fixtures/soda-scan-orders.json'),
  python: () => read('../soda/fixtures/soda-scan-results-python.json')
};
const dbt = {
  v4: () => read('../dbt/fixtures/run_results.v4.json'),
  v5: () => read('../dbt/fixtures/run_results.v5.json'),
  v6: () => read('../dbt/fixtures/run_results.v6.json'),
  manifest: () => read('../dbt/fixtures/manifest.json')
};
const gx = {
  v018: () => read('../gx/fixtures/gx-0.18-validation.json'),
  v1: () => read('../gx/fixtures/gx-1.x-validation.json'),
  checkpoint: () => read('../gx/fixtures/gx-1.x-checkpoint.json')
};

function rejected(res: DetectedParse): Extract<DetectedParse, { ok: false }> {
  if (res.ok) throw new Error('expected the body to be rejected');
  return res;
}

describe('parseCheckResults', () => {
  it('[IN1] detects each format from the content and parses it with that format’s parser', () => {
    const cases: Array<[Json, 'soda' | 'dbt' | 'gx', () => unknown]> = [
      [soda.srf(), 'soda', () => parseSodaScan(soda.srf())],
      [soda.python(), 'soda', () => parseSodaScan(soda.python())],
      [dbt.v4(), 'dbt', () => parseDbtRunResults(dbt.v4())],
      [dbt.v5(), 'dbt', () => parseDbtRunResults(dbt.v5())],
      [dbt.v6(), 'dbt', () => parseDbtRunResults(dbt.v6())],
      [{ run_results: dbt.v6(), manifest: dbt.manifest() }, 'dbt', () => parseDbtRunResults(dbt.v6(), dbt.manifest())],
      [gx.v018(), 'gx', () => parseGxValidation(gx.v018())],
      [gx.v1(), 'gx', () => parseGxValidation(gx.v1())],
      [gx.checkpoint(), 'gx', () => parseGxValidation(gx.checkpoint())]
    ];
    for (const [body, format, direct] of cases) {
      const res = parseCheckResults(body);
      expect(detectFormat(body)).toBe(format);
      expect(res).toEqual({ ...(direct() as object), format });
    }
  });

  it('[IN1] knows a format by its marks even when the body is nearly empty', () => {
    expect(detectFormat({ results: [], meta: { great_expectations_version: '1.3.5' } })).toBe('gx');
    expect(detectFormat({ results: [], suite_name: 's' })).toBe('gx');
    expect(detectFormat({ results: [{ expectation_config: {} }] })).toBe('gx');
    expect(detectFormat({ metadata: { dbt_schema_version: 'x' } })).toBe('dbt');
    expect(detectFormat({ run_results: { results: [] } })).toBe('dbt');
    expect(detectFormat({ manifest: {} })).toBe('dbt');
    expect(detectFormat({ run_results: { 'ValidationResultIdentifier::s/r/t/b': { results: [] } } })).toBe('gx');
    expect(detectFormat({ checks: [] })).toBe('soda');
    expect(detectFormat({ defaultDataSource: 'pg' })).toBe('soda');
  });

  it('[IN2] a Soda file is still Soda, its problems reported as before', () => {
    expect(parseCheckResults(soda.srf())).toMatchObject({ ok: true, format: 'soda' });
    const broken = { defaultDataSource: 'pg', checks: [{ identity: 'a', outcome: 'broken' }, { outcome: 'pass' }] };
    const res = rejected(parseCheckResults(broken));
    expect(res.format).toBe('soda');
    expect(res.issues).toEqual((parseSodaScan(broken) as { issues: unknown }).issues);
    expect(rejected(parseCheckResults({ defaultDataSource: 'pg', checks: 'nope' })).issues.map((i) => i.path)).toEqual([
      'checks'
    ]);
  });

  it('[IN3] answers a body of no known format with one issue saying what was expected', () => {
    for (const body of [null, undefined, 42, 'scan', true, [], [{ checks: [] }], {}, { results: [] }, { foo: 'bar' }]) {
      const res = rejected(parseCheckResults(body));
      expect(res.format).toBeNull();
      expect(res.issues).toEqual([{ path: '(root)', message: UNRECOGNIZED_BODY }]);
    }
    expect(UNRECOGNIZED_BODY).toMatch(
      /^Expected Soda scan results \(.+\), a dbt run_results\.json \(.+\) or a Great Expectations validation result \(.+\)$/
    );
  });

  it('[IN4] a recognized format with bad parts reports every bad path in its own terms', () => {
    const run = dbt.v6();
    run.results[5].status = 'exploded';
    run.results[6].failures = 'three';
    expect(rejected(parseCheckResults(run))).toMatchObject({
      format: 'dbt',
      issues: [{ path: 'results[5].status' }, { path: 'results[6].failures' }]
    });
    const bundled = rejected(parseCheckResults({ run_results: run, manifest: dbt.manifest() }));
    expect(bundled.issues.map((i) => i.path)).toEqual([
      'run_results.results[5].status',
      'run_results.results[6].failures'
    ]);
    const val = gx.v1();
    delete val.results[2].expectation_config.type;
    expect(rejected(parseCheckResults(val))).toMatchObject({
      format: 'gx',
      issues: [{ path: 'results[2].expectation_config.type' }]
    });
    const manifestAlone = rejected(parseCheckResults(dbt.manifest()));
    expect(manifestAlone).toMatchObject({ format: 'dbt', issues: [{ path: 'metadata.dbt_schema_version' }] });
  });

  it('[IN5] every check says which tool produced it', () => {
    const sources = (body: unknown) => {
      const res = parseCheckResults(body);
      return res.ok ? [...new Set(res.scan.checks.map((c) => c.source))] : [];
    };
    expect(sources(soda.python())).toEqual(['soda']);
    expect(sources(dbt.v5())).toEqual(['dbt']);
    expect(sources(gx.checkpoint())).toEqual(['gx']);
  });
});

describe('shared result helpers', () => {
  it('[IN6] stableId is a deterministic 16-hex id that spreads well', () => {
    expect(stableId('test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1')).toBe('ec0318c30294ad18');
    expect(stableId('')).toMatch(/^[0-9a-f]{16}$/);
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(stableId(`test.shop.not_null_t${i}_c.${i.toString(16)}`));
    expect(ids.size).toBe(100_000);
    expect(stableId('a')).not.toBe(stableId('b'));
  });

  it('[IN6] canonicalJson ignores key order and undefined; formatPath quotes keys that are not names', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: null, u: undefined })).toBe('{"a":null,"b":[1,{"c":2,"d":1}]}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(formatPath(['checks', 3, 'outcome'])).toBe('checks[3].outcome');
    expect(formatPath(['nodes', 'test.shop.x', 'name'])).toBe('nodes["test.shop.x"].name');
    expect(formatPath([])).toBe('(root)');
  });
});
