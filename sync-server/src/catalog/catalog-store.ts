import {
  checkId,
  datasetName,
  ulid,
  type CheckResult,
  type CheckSummary,
  type ChecksPage,
  type Outcome,
  type ParsedScan,
  valueText
} from '@firebreak/shared';
import type { Db } from '../db/open.ts';

export interface StoredScan {
  scanId: string;
  stored: number;
  newChecks: number;
  outcomes: { pass: number; warn: number; fail: number; error: number };
  /** Ids of the results that warn or fail (integrations hear about them). */
  alerts: string[];
}

/**
 * The check catalog: checks, scans and the full history of results. Server-authored and far too
 * large for a CRDT; browsers mirror it by cursor (`seq`, bumped on every row an ingest touches).
 */
export interface CatalogStore {
  /** Stores one scan atomically: all of it or, on any error, nothing. */
  /** `inTransaction` runs inside the same transaction (the outbox records alerts with the results). */
  ingest(
    workspaceId: string,
    scan: ParsedScan,
    receivedAt: string,
    inTransaction?: (stored: StoredScan) => void
  ): Promise<StoredScan>;
  listChecks(workspaceId: string, cursor: number, limit: number): Promise<ChecksPage>;
  getCheck(workspaceId: string, id: string): Promise<CheckSummary | null>;
  /** Oldest first, at most `limit` of the newest. */
  listResults(workspaceId: string, checkId: string, limit: number): Promise<CheckResult[]>;
  checkCount(workspaceId: string): Promise<number>;
}

interface CheckRow {
  id: string;
  identity: string;
  data_source: string;
  table_name: string | null;
  column_name: string | null;
  name: string;
  type: string;
  definition: string | null;
  attributes: string;
  outcome: Outcome | null;
  value: number | null;
  value_text: string | null;
  evaluated_at: string;
  last_result_id: string;
  result_count: number;
  seq: number;
}

interface ResultRow {
  id: string;
  check_id: string;
  scan_id: string;
  outcome: Outcome | null;
  value: number | null;
  data_timestamp: string;
  raw: string;
  seq: number;
}

const toSummary = (r: CheckRow): CheckSummary => ({
  id: r.id,
  identity: r.identity,
  dataSource: r.data_source,
  table: r.table_name,
  column: r.column_name,
  dataset: datasetName(r.data_source, r.table_name),
  name: r.name,
  type: r.type,
  definition: r.definition,
  attributes: JSON.parse(r.attributes),
  outcome: r.outcome,
  value: r.value,
  valueText: r.value_text,
  evaluatedAt: r.evaluated_at,
  lastResultId: r.last_result_id,
  resultCount: r.result_count,
  seq: r.seq
});

const toResult = (r: ResultRow): CheckResult => {
  const raw = JSON.parse(r.raw) as {
    diagnostics?: CheckResult['diagnostics'];
    outcomeReasons?: CheckResult['outcomeReasons'];
  };
  return {
    id: r.id,
    checkId: r.check_id,
    scanId: r.scan_id,
    outcome: r.outcome,
    value: r.value,
    valueText: valueText(raw.diagnostics),
    dataTimestamp: r.data_timestamp,
    diagnostics: raw.diagnostics ?? null,
    outcomeReasons: raw.outcomeReasons ?? [],
    seq: r.seq
  };
};

export class SqliteCatalogStore implements CatalogStore {
  private readonly s;

  constructor(private readonly db: Db) {
    this.s = {
      getSeq: db.prepare<[string], { value: number }>(
        "SELECT value FROM catalog_meta WHERE workspace_id = ? AND key = 'seq'"
      ),
      setSeq: db.prepare(
        `INSERT INTO catalog_meta (workspace_id, key, value) VALUES (?, 'seq', ?)
         ON CONFLICT(workspace_id, key) DO UPDATE SET value = excluded.value`
      ),
      insertScan: db.prepare(
        `INSERT INTO scans (workspace_id, id, definition_name, data_timestamp, scan_start, scan_end, has_errors,
          has_warnings, has_failures, received_at, check_count, raw)
         VALUES (@workspaceId, @id, @definitionName, @dataTimestamp, @scanStart, @scanEnd, @hasErrors,
          @hasWarnings, @hasFailures, @receivedAt, @checkCount, @raw)`
      ),
      upsertCheck: db.prepare(
        `INSERT INTO checks (workspace_id, id, identity, data_source, table_name, column_name, name, type, definition,
          attributes, outcome, value, evaluated_at, last_result_id, result_count, seq, value_text)
         VALUES (@workspaceId, @id, @identity, @dataSource, @table, @column, @name, @type, @definition,
          @attributes, @outcome, @value, @evaluatedAt, @resultId, 1, @seq, @valueText)
         ON CONFLICT(workspace_id, id) DO UPDATE SET
           name = excluded.name, type = excluded.type, definition = excluded.definition,
           attributes = excluded.attributes, table_name = excluded.table_name, column_name = excluded.column_name,
           result_count = checks.result_count + 1, seq = excluded.seq,
           -- a back-filled older scan adds history but never replaces the latest result
           outcome = CASE WHEN excluded.evaluated_at >= checks.evaluated_at THEN excluded.outcome ELSE checks.outcome END,
           value = CASE WHEN excluded.evaluated_at >= checks.evaluated_at THEN excluded.value ELSE checks.value END,
           value_text = CASE WHEN excluded.evaluated_at >= checks.evaluated_at THEN excluded.value_text ELSE checks.value_text END,
           last_result_id = CASE WHEN excluded.evaluated_at >= checks.evaluated_at THEN excluded.last_result_id ELSE checks.last_result_id END,
           evaluated_at = max(excluded.evaluated_at, checks.evaluated_at)
         RETURNING result_count`
      ),
      insertResult: db.prepare(
        `INSERT INTO results (workspace_id, id, check_id, scan_id, outcome, value, data_timestamp, raw, seq)
         VALUES (@workspaceId, @id, @checkId, @scanId, @outcome, @value, @dataTimestamp, @raw, @seq)`
      ),
      page: db.prepare<[string, number, number], CheckRow>(
        'SELECT * FROM checks WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?'
      ),
      one: db.prepare<[string, string], CheckRow>('SELECT * FROM checks WHERE workspace_id = ? AND id = ?'),
      results: db.prepare<[string, string, number], ResultRow>(
        `SELECT * FROM (SELECT * FROM results WHERE workspace_id = ? AND check_id = ?
                        ORDER BY data_timestamp DESC, seq DESC LIMIT ?)
         ORDER BY data_timestamp, seq`
      ),
      count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM checks WHERE workspace_id = ?')
    };
  }

  async ingest(
    workspaceId: string,
    scan: ParsedScan,
    receivedAt: string,
    inTransaction?: (stored: StoredScan) => void
  ): Promise<StoredScan> {
    const s = this.s;
    return this.db.transaction((): StoredScan => {
      let seq = s.getSeq.get(workspaceId)?.value ?? 0;
      const scanId = ulid();
      s.insertScan.run({
        workspaceId,
        id: scanId,
        definitionName: scan.definitionName,
        dataTimestamp: scan.dataTimestamp,
        scanStart: scan.scanStartTimestamp,
        scanEnd: scan.scanEndTimestamp,
        hasErrors: scan.hasErrors ? 1 : 0,
        hasWarnings: scan.hasWarnings ? 1 : 0,
        hasFailures: scan.hasFailures ? 1 : 0,
        receivedAt,
        checkCount: scan.checks.length,
        raw: JSON.stringify(scan.raw)
      });
      const outcomes = { pass: 0, warn: 0, fail: 0, error: 0 };
      let newChecks = 0;
      const alerts: string[] = [];
      const at = Date.parse(scan.dataTimestamp);
      for (const c of scan.checks) {
        const id = checkId(c.dataSource, c.identity);
        const resultId = ulid(at);
        seq += 1;
        outcomes[c.outcome ?? 'error']++;
        if (c.outcome === 'warn' || c.outcome === 'fail') alerts.push(resultId);
        const upserted = s.upsertCheck.get({
          workspaceId,
          id,
          identity: c.identity,
          dataSource: c.dataSource,
          table: c.table,
          column: c.column,
          name: c.name,
          type: c.type,
          definition: c.definition,
          attributes: JSON.stringify(c.attributes),
          outcome: c.outcome,
          value: c.value,
          valueText: c.valueText,
          evaluatedAt: scan.dataTimestamp,
          resultId,
          seq
        }) as { result_count: number };
        if (upserted.result_count === 1) newChecks++;
        s.insertResult.run({
          workspaceId,
          id: resultId,
          checkId: id,
          scanId,
          outcome: c.outcome,
          value: c.value,
          dataTimestamp: scan.dataTimestamp,
          raw: JSON.stringify(c.raw),
          seq
        });
      }
      s.setSeq.run(workspaceId, seq);
      const stored = { scanId, stored: scan.checks.length, newChecks, outcomes, alerts };
      inTransaction?.(stored);
      return stored;
    })();
  }

  async listChecks(workspaceId: string, cursor: number, limit: number): Promise<ChecksPage> {
    const rows = this.s.page.all(workspaceId, cursor, limit + 1);
    const hasMore = rows.length > limit;
    const checks = rows.slice(0, limit).map(toSummary);
    return { checks, cursor: checks.length ? checks[checks.length - 1]!.seq : cursor, hasMore };
  }

  async getCheck(workspaceId: string, id: string): Promise<CheckSummary | null> {
    const row = this.s.one.get(workspaceId, id);
    return row ? toSummary(row) : null;
  }

  async listResults(workspaceId: string, checkId: string, limit: number): Promise<CheckResult[]> {
    return this.s.results.all(workspaceId, checkId, limit).map(toResult);
  }

  async checkCount(workspaceId: string): Promise<number> {
    return this.s.count.get(workspaceId)?.n ?? 0;
  }
}
