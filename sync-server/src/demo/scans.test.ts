import { describe, expect, it } from 'vitest';
import { parseSodaScan, type ParsedScan } from '@firebreak/shared';
import { bigScan, demoScans } from './scans.ts';
import { inZone, outcomeFor, timedelta } from './soda-format.ts';
import { hex8, IdentityRegistry } from './random.ts';

const NOW = new Date('2026-11-26T09:00:00.000Z');
const DAY = 86_400_000;

function parsed(raw: object): ParsedScan {
  const res = parseSodaScan(raw);
  if (!res.ok) throw new Error(`generated scan does not parse: ${JSON.stringify(res.issues.slice(0, 5))}`);
  return res.scan;
}

describe('demoScans', () => {
  const raw = demoScans(NOW);
  const scans = raw.map(parsed);
  const results = scans.flatMap((s) => s.checks.map((c) => ({ ...c, at: s.dataTimestamp })));
  const key = (c: { dataSource: string; identity: string }) => `${c.dataSource}:${c.identity}`;

  it('every scan passes parseSodaScan and has the -srf shape', () => {
    expect(scans.length).toBeGreaterThan(0);
    for (const r of raw as Array<Record<string, unknown>>) {
      expect(r).toMatchObject({
        sourceOwner: 'soda-core',
        logs: expect.any(Array),
        metrics: expect.any(Array),
        queries: expect.any(Array)
      });
      for (const c of r.checks as Array<Record<string, unknown>>) {
        expect(c.identity).toMatch(/^[0-9a-f]{8}$/);
        expect(c).toMatchObject({ source: 'soda-core', identities: { v3: c.identity } });
      }
    }
  });

  it('has 30–40 distinct checks over several data sources and datasets', () => {
    const checks = new Set(results.map(key));
    expect(checks.size).toBeGreaterThanOrEqual(30);
    expect(checks.size).toBeLessThanOrEqual(40);
    expect(new Set(results.map((c) => c.dataSource)).size).toBeGreaterThanOrEqual(3);
    expect(new Set(results.map((c) => `${c.dataSource}/${c.table}`)).size).toBeGreaterThanOrEqual(4);
  });

  it('runs every check daily for 14 days, oldest first, ending just before now', () => {
    const times = scans.map((s) => Date.parse(s.dataTimestamp));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times.at(-1)!).toBeLessThanOrEqual(NOW.getTime());
    expect(NOW.getTime() - times.at(-1)!).toBeLessThan(2 * 3_600_000);
    const perCheck = new Map<string, number[]>();
    for (const c of results) perCheck.set(key(c), [...(perCheck.get(key(c)) ?? []), Date.parse(c.at)]);
    for (const ts of perCheck.values()) {
      expect(ts).toHaveLength(14);
      for (let i = 1; i < ts.length; i++) expect(ts[i]! - ts[i - 1]!).toBe(DAY);
    }
  });

  it('has passes, warns, failures and one not-evaluated check with an error log', () => {
    const count = (o: string | null) => results.filter((c) => c.outcome === o).length;
    expect(count('pass')).toBeGreaterThan(count('warn') + count('fail'));
    expect(count('warn')).toBeGreaterThan(3);
    expect(count('fail')).toBeGreaterThan(3);
    const errored = results.filter((c) => c.outcome === null);
    expect(errored).toHaveLength(1);
    const scan = scans.find((s) => s.checks.some((c) => c.outcome === null))!;
    expect(scan.hasErrors).toBe(true);
    expect(scan.errors.join('\n')).toContain(errored[0]!.column!);
  });

  it('concentrates the trouble in the last days', () => {
    const cutoff = NOW.getTime() - 3 * DAY;
    const recent = results.filter((c) => Date.parse(c.at) > cutoff);
    const older = results.filter((c) => Date.parse(c.at) <= cutoff);
    const badShare = (xs: typeof results) => xs.filter((c) => c.outcome !== 'pass').length / xs.length;
    expect(badShare(recent)).toBeGreaterThan(2 * badShare(older));
    const latest = scans.slice(-5).flatMap((s) => s.checks);
    expect(latest.filter((c) => c.outcome === 'fail').map((c) => `${c.table}:${c.name}`)).toEqual(
      expect.arrayContaining(['orders:Orders without email', 'payments:Unique payment ids', 'events:Events freshness'])
    );
  });

  it('includes freshness, schema, anomaly detection, failed-rows blocks and fail/warn zones', () => {
    const last = scans.flatMap((s) => s.checks);
    const fresh = last.find((c) => c.diagnostics?.measure === 'time')!;
    expect(fresh.diagnostics).toMatchObject({
      freshness: expect.stringMatching(/^(\d+ days?, )?\d+:\d\d:\d\d$/),
      fail: { greaterThan: expect.any(Number) }
    });
    expect(last.some((c) => c.type === 'anomalyDetection' && c.outcome === 'fail')).toBe(true);
    expect(last.some((c) => c.name.includes('schema') && c.outcome === 'warn')).toBe(true);
    const withRows = last.filter((c) =>
      (c.diagnostics?.blocks as Array<{ type: string }> | undefined)?.some((b) => b.type === 'failedRowsAnalysis')
    );
    expect(withRows.length).toBeGreaterThan(3);
    expect(withRows.every((c) => c.outcome !== 'pass')).toBe(true);
    expect(last.some((c) => c.diagnostics?.warn && c.diagnostics.fail)).toBe(true);
  });

  it('is deterministic for a fixed now, and moves only timestamps with now', () => {
    expect(JSON.stringify(demoScans(new Date(NOW)))).toBe(JSON.stringify(raw));
    const later = demoScans(new Date(NOW.getTime() + DAY)).map(parsed);
    expect(later.map((s) => Date.parse(s.dataTimestamp) - DAY)).toEqual(scans.map((s) => Date.parse(s.dataTimestamp)));
    expect(later.flatMap((s) => s.checks.map((c) => [c.identity, c.outcome, c.value]))).toEqual(
      scans.flatMap((s) => s.checks.map((c) => [c.identity, c.outcome, c.value]))
    );
  });
});

describe('bigScan', () => {
  const raw = bigScan(10_000);
  const scan = parsed(raw);

  it('has 10,000 checks with distinct identities over about 50 datasets', () => {
    expect(scan.checks).toHaveLength(10_000);
    expect(new Set(scan.checks.map((c) => c.identity)).size).toBe(10_000);
    expect(new Set(scan.checks.map((c) => `${c.dataSource}/${c.table}`)).size).toBe(50);
  });

  it('is mostly passing: ~90 % pass, ~7 % warn, ~3 % fail', () => {
    const share = (o: string) => scan.checks.filter((c) => c.outcome === o).length / scan.checks.length;
    expect(share('pass')).toBeCloseTo(0.9, 1);
    expect(share('warn')).toBeCloseTo(0.07, 1);
    expect(share('fail')).toBeCloseTo(0.03, 1);
    for (const c of scan.checks) {
      const d = c.diagnostics as { fail?: object; warn?: object };
      expect(outcomeFor(c.value!, d.fail, d.warn)).toBe(c.outcome);
    }
  });

  it('keeps the same checks across seeds so repeated runs append history; is deterministic per seed', () => {
    const other = parsed(bigScan(10_000, 2, new Date(Date.UTC(2026, 10, 2))));
    expect(other.checks.map((c) => c.identity)).toEqual(scan.checks.map((c) => c.identity));
    expect(other.checks.map((c) => c.value)).not.toEqual(scan.checks.map((c) => c.value));
    expect(other.dataTimestamp).toBe('2026-11-02T00:00:00.000Z');
    expect(JSON.stringify(bigScan(500, 7))).toBe(JSON.stringify(bigScan(500, 7)));
    expect(parsed(bigScan(3)).checks).toHaveLength(3);
  });
});

describe('helpers', () => {
  it('reads zones the way Soda writes them', () => {
    expect(inZone(3, { greaterThan: 0, lessThan: 0 })).toBe(true); // `= 0` fails on anything else
    expect(inZone(0, { greaterThan: 0, lessThan: 0 })).toBe(false);
    expect(inZone(0, { greaterThanOrEqual: 0, lessThanOrEqual: 0 })).toBe(true); // `fail: when = 0`
    expect(inZone(850, { greaterThanOrEqual: 0, lessThanOrEqual: 0 })).toBe(false);
    expect(inZone(130, { greaterThan: 120, lessThan: 40 })).toBe(true); // not between 40 and 120
    expect(inZone(80, { greaterThan: 120, lessThan: 40 })).toBe(false);
    expect(inZone(999, { lessThan: 1000 })).toBe(true);
    expect(outcomeFor(850, { lessThanOrEqual: 0 }, { lessThan: 1000 })).toBe('warn');
  });

  it('formats durations like Python timedelta and derives stable 8-hex identities', () => {
    expect(timedelta(3_723_000)).toBe('1:02:03');
    expect(timedelta(86_400_000 + 7_384_000)).toBe('1 day, 2:03:04');
    expect(timedelta(3 * 86_400_000 + 10_000)).toBe('3 days, 0:00:10');
    expect(hex8('postgres/orders/row_count > 0')).toMatch(/^[0-9a-f]{8}$/);
    expect(hex8('a')).toBe(hex8('a'));
    const ids = new IdentityRegistry();
    expect(ids.identity('pg', 't', 'x')).toBe(hex8('pg/t/x'));
    expect(ids.identity('pg', 't', 'x')).not.toBe(hex8('pg/t/x')); // a collision is re-hashed
  });
});
