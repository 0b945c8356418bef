import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSodaScan, type ParsedScan, type ScanIssue } from './parse.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}
const srf = () => fixture('soda-scan-orders.json');
const python = () => fixture('soda-scan-results-python.json');

function ok(input: unknown): ParsedScan {
  const res = parseSodaScan(input);
  if (!res.ok) throw new Error(`expected a valid scan, got ${JSON.stringify(res.issues)}`);
  return res.scan;
}

function issuePaths(input: unknown): string[] {
  const res = parseSodaScan(input);
  if (res.ok) throw new Error('expected the scan to be rejected');
  return res.issues.map((i: ScanIssue) => i.path).sort();
}

/** A minimal valid check; spread overrides over it. */
const check = (over: Record<string, unknown> = {}) => ({
  identity: 'aa11bb22',
  dataSource: 'pg',
  outcome: 'pass',
  ...over
});

describe('parseSodaScan', () => {
  it('[P1] parses the -srf file', () => {
    const scan = ok(srf());
    expect(scan).toMatchObject({
      definitionName: 'orders_daily',
      defaultDataSource: 'postgres',
      dataTimestamp: '2024-05-02T09:00:00.000Z',
      scanStartTimestamp: '2024-05-02T09:00:00.000Z',
      scanEndTimestamp: '2024-05-02T09:00:03.000Z',
      hasErrors: false,
      hasWarnings: true,
      hasFailures: true,
      errors: []
    });
    expect(scan.checks.map((c) => [c.identity, c.outcome, c.value])).toEqual([
      ['3f1a9c2e', 'pass', 850],
      ['c41d07b9', 'fail', 3],
      ['9e77ab10', 'warn', 850]
    ]);
    const missing = scan.checks[1]!;
    expect(missing).toMatchObject({
      dataSource: 'postgres',
      table: 'orders',
      column: 'email',
      name: 'missing_count(email) = 0',
      type: 'generic',
      attributes: { priority: '1', department: 'sales' }
    });
    expect(missing.diagnostics?.fail).toEqual({ greaterThan: 0, lessThan: 0 });
    expect(scan.checks[0]!.column).toBeNull();
  });

  it('[P1] parses the scan.get_scan_results() variant', () => {
    const scan = ok(python());
    expect(scan).toMatchObject({
      definitionName: 'customers_nightly',
      dataTimestamp: '2024-05-03T02:00:00.000Z',
      scanStartTimestamp: '2024-05-03T02:00:00.412Z',
      hasErrors: true
    });
    expect(scan.checks.map((c) => [c.identity, c.outcome, c.value])).toEqual([
      ['5b0e21c4', 'pass', 12480],
      ['d7a3f019', 'fail', 4],
      ['0c9e4b7d', 'warn', 2.7],
      ['e4f81a62', null, null]
    ]);
    expect(scan.checks[1]!.name).toBe('No duplicate customer ids');
    expect(scan.checks[1]!.attributes).toEqual({ owner: 'crm-team' });
  });

  it('[P2] keeps unknown keys in raw, on the scan and on each check', () => {
    const a = ok(srf());
    expect(a.raw).toMatchObject({ sourceOwner: 'soda-core', automatedMonitoringChecks: [], profiling: [] });
    expect(a.raw).not.toHaveProperty('checks');
    expect((a.raw.queries as unknown[]).length).toBe(4);
    expect(a.checks[0]!.raw).toMatchObject({
      source: 'soda-core',
      migratedIdentities: null,
      identities: { v3: '3f1a9c2e' }
    });
    const block = (a.checks[1]!.diagnostics?.blocks as Array<Record<string, unknown>>)[0]!;
    expect(block).toMatchObject({ sampleRowCount: 3, failingRowsQueryName: expect.stringContaining('failing_sql') });
    expect((block.file as Record<string, unknown>).reference).toMatchObject({ type: 'noFile' });

    const b = ok(python());
    expect((b.raw.metrics as Array<Record<string, unknown>>)[0]).toMatchObject({ dataSourceName: 'postgres' });
    expect(b.checks[2]!.raw).toMatchObject({ filter: "region = 'eu'", archetype: null });
    expect((b.raw.logs as Array<Record<string, unknown>>)[1]).toMatchObject({ level: 'ERROR', location: { line: 11 } });
    const x = ok({ checks: [check({ futureKey: { nested: [1, 2] } })], defaultDataSource: 'pg', brandNew: true });
    expect(x.raw.brandNew).toBe(true);
    expect(x.checks[0]!.raw.futureKey).toEqual({ nested: [1, 2] });
  });

  it('[P3] tolerates null wherever a value is expected', () => {
    const scan = ok({
      definitionName: null,
      defaultDataSource: 'pg',
      dataTimestamp: null,
      scanStartTimestamp: null,
      scanEndTimestamp: '2024-05-02T09:00:03+00:00',
      hasErrors: null,
      hasWarnings: null,
      hasFailures: null,
      metrics: null,
      logs: null,
      checks: [
        {
          identity: 'aa11bb22',
          identities: null,
          name: null,
          type: null,
          definition: 'checks for t:\n  - row_count > 0',
          resourceAttributes: null,
          location: null,
          dataSource: null,
          table: null,
          column: null,
          filter: null,
          metrics: null,
          outcome: null,
          outcomeReasons: null,
          diagnostics: { value: null, blocks: null, fail: null, warn: { greaterThan: null, lessThan: 5 } }
        },
        { identity: 'cc33dd44', definition: null, diagnostics: null }
      ]
    });
    expect(scan).toMatchObject({
      definitionName: 'Soda Core CLI',
      dataTimestamp: '2024-05-02T09:00:03.000Z',
      scanStartTimestamp: null,
      hasErrors: false,
      hasWarnings: false,
      hasFailures: false,
      errors: []
    });
    expect(scan.checks[0]).toMatchObject({
      dataSource: 'pg',
      name: 'checks for t:\n  - row_count > 0',
      type: 'generic',
      outcome: null,
      value: null,
      attributes: {},
      outcomeReasons: []
    });
    // With neither name nor definition, the identity is the only name there is.
    expect(scan.checks[1]).toMatchObject({ name: 'cc33dd44', definition: null, diagnostics: null, outcome: null });
  });

  it('[P4] reads numeric strings as numbers and outcomes in any case', () => {
    const scan = ok({
      defaultDataSource: 'pg',
      checks: [
        check({ diagnostics: { value: '12.5' } }),
        check({ identity: 'b', diagnostics: { value: ' ' } }),
        check({ identity: 'c', diagnostics: { value: 'n/a' } }),
        check({ identity: 'd', outcome: 'FAIL', diagnostics: { value: 7 } }),
        check({
          identity: 'e',
          outcome: 'Warn',
          resourceAttributes: [
            { name: 'priority', value: '2' },
            { name: 'pii', value: true }
          ]
        })
      ]
    });
    expect(scan.checks.map((c) => c.value)).toEqual([12.5, null, null, 7, null]);
    expect(scan.checks.map((c) => c.outcome)).toEqual(['pass', 'pass', 'pass', 'fail', 'warn']);
    expect(scan.checks[4]!.attributes).toEqual({ priority: '2', pii: true });
    expect(scan.hasFailures).toBe(true);
    expect(scan.hasWarnings).toBe(true);
  });

  it('[P5] falls back to identities.v4, then identities.v3', () => {
    const scan = ok({
      defaultDataSource: 'pg',
      checks: [
        { identities: { v1: 'old', v3: 'v3-id', v4: 'v4-id' } },
        { identities: { v1: 'old', v2: 'older', v3: 'v3-id' } },
        { identity: 'own-id', identities: { v3: 'v3-id', v4: 'v4-id' } },
        { identity: null, identities: { v4: null, v3: 'v3-only' } }
      ]
    });
    expect(scan.checks.map((c) => c.identity)).toEqual(['v4-id', 'v3-id', 'own-id', 'v3-only']);
  });

  it('[P6] reports every offending path of a malformed file', () => {
    const paths = issuePaths({
      dataTimestamp: 'around noon',
      checks: [
        check(),
        check({ identity: 'b', outcome: 'broken' }),
        { name: 'no identity', dataSource: 'pg', outcome: 'pass' },
        { identity: 'd', outcome: 'pass' },
        check({ identity: 'e', diagnostics: { fail: { greaterThan: 'zero' }, blocks: [{ title: 'no type' }] } }),
        null
      ],
      logs: [{ level: 'info' }, { level: 3 }]
    });
    expect(paths).toEqual([
      'checks[1].outcome',
      'checks[2].identity',
      'checks[3].dataSource',
      'checks[4].diagnostics.blocks[0].type',
      'checks[4].diagnostics.fail.greaterThan',
      'checks[5]',
      'dataTimestamp',
      'logs[1].level'
    ]);
  });

  it('[P6] names the whole body or the checks key when they have the wrong shape', () => {
    expect(issuePaths({ defaultDataSource: 'pg', checks: 'nope' })).toEqual(['checks']);
    expect(issuePaths({ defaultDataSource: 'pg', checks: { 0: check() } })).toEqual(['checks']);
    expect(issuePaths({ defaultDataSource: 'pg' })).toEqual(['checks']);
    for (const body of [null, undefined, 42, 'scan', [], [check()], true]) expect(issuePaths(body)).toEqual(['(root)']);
  });

  it('[P6] reports a malformed identity once, and checks the identity even when other keys are broken', () => {
    expect(issuePaths({ defaultDataSource: 'pg', checks: [check({ identity: 42 })] })).toEqual(['checks[0].identity']);
    expect(issuePaths({ defaultDataSource: 'pg', checks: [check({ identity: '' })] })).toEqual(['checks[0].identity']);
    expect(issuePaths({ checks: [{ outcome: 'nope' }] })).toEqual([
      'checks[0].dataSource',
      'checks[0].identity',
      'checks[0].outcome'
    ]);
    const res = parseSodaScan({ checks: [{ outcome: 'nope' }] });
    expect(res.ok ? [] : res.issues.every((i) => i.message.length > 0)).toBe(true);
  });

  it('[P7] collects error log lines, lower- or upper-case, as the reasons checks were not evaluated', () => {
    const scan = ok(python());
    expect(scan.errors).toEqual([
      'Query execution error in postgres.customers.phone.aggregation[0]: column "phone" does not exist',
      "Metrics 'invalid_percent' were not computed for check 'invalid_percent(phone) < 5 %'"
    ]);
    const lower = ok({
      defaultDataSource: 'pg',
      checks: [],
      logs: [
        { level: 'error', message: 'boom' },
        { level: 'warning', message: 'meh' }
      ]
    });
    expect(lower.errors).toEqual(['boom']);
    expect(lower.checks).toEqual([]);
  });

  it('[P8] normalizes timestamps to UTC ISO and falls back scanEnd → scanStart for the data timestamp', () => {
    const a = ok({ defaultDataSource: 'pg', checks: [], dataTimestamp: '2024-05-02T11:00:00+02:00' });
    expect(a.dataTimestamp).toBe('2024-05-02T09:00:00.000Z');
    const b = ok({ defaultDataSource: 'pg', checks: [], scanStartTimestamp: '2024-05-02T09:00:00+00:00' });
    expect(b.dataTimestamp).toBe('2024-05-02T09:00:00.000Z');
  });

  it('[P9] parses tens of thousands of checks', () => {
    const checks = Array.from({ length: 20_000 }, (_, i) =>
      check({ identity: i.toString(16).padStart(8, '0'), table: `t${i % 50}`, diagnostics: { value: i, blocks: [] } })
    );
    const scan = ok({ defaultDataSource: 'pg', checks });
    expect(scan.checks).toHaveLength(20_000);
    expect(new Set(scan.checks.map((c) => c.identity)).size).toBe(20_000);
  });
});

describe('value wording', () => {
  it('[P10] a freshness check keeps Soda’s wording of its value; other checks have none', () => {
    const scan = srf() as { checks: Array<Record<string, unknown>> };
    scan.checks[0]!.diagnostics = { value: 97_384_000, measure: 'time', freshness: '1 day, 3:03:04', blocks: [] };
    const parsed = ok(scan);
    expect(parsed.checks[0]!.valueText).toBe('1 day, 3:03:04');
    expect(parsed.checks[0]!.value).toBe(97_384_000);
    expect(parsed.checks[1]!.valueText).toBeNull();
  });
});
