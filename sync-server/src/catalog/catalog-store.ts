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
import type { Db } from '../db.ts';

export interface StoredScan {
  scanId: string;
  stored: number;
  newChecks: number;
  outcomes: { pass: number; warn: number; fail: number; error: number };
}

/**
 * The check catalog: checks, scans and the full history of results. Server-authored and far too
 * large for a CRDT; browsers mirror it by cursor (`seq`, bumped on every row an ingest touches).
 */
export interface CatalogStore {
  /** Stores one scan atomically: all of it or, on any error, nothing. */
  ingest(scan: ParsedScan, receivedAt: string): Promise<StoredScan>;
  listChecks(cursor: number, limit: number): Promise<ChecksPage>;
  getCheck(id: string): Promise<CheckSummary | null>;
  /** Oldest first, at most `limit` of the newest. */
  listResults(checkId: string, limit: number): Promise<CheckResult[]>;
  checkCount(): Promise<number>;
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
    db.exec(`
      CREATE TABLE IF NOT EXISTS catalog_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS scans (
        id TEXT PRIMARY KEY, definition_name TEXT NOT NULL, data_timestamp TEXT NOT NULL,
        scan_start TEXT, scan_end TEXT, has_errors INTEGER NOT NULL, has_warnings INTEGER NOT NULL,
        has_failures INTEGER NOT NULL, received_at TEXT NOT NULL, check_count INTEGER NOT NULL, raw TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS checks (
        id TEXT PRIMARY KEY, identity TEXT NOT NULL, data_source TEXT NOT NULL, table_name TEXT,
        column_name TEXT, name TEXT NOT NULL, type TEXT NOT NULL, definition TEXT, attributes TEXT NOT NULL,
        outcome TEXT, value REAL, evaluated_at TEXT NOT NULL, last_result_id TEXT NOT NULL,
        result_count INTEGER NOT NULL, seq INTEGER NOT NULL, value_text TEXT
      );
      CREATE INDEX IF NOT EXISTS checks_seq ON checks(seq);
      CREATE TABLE IF NOT EXISTS results (
        id TEXT PRIMARY KEY, check_id TEXT NOT NULL REFERENCES checks(id), scan_id TEXT NOT NULL REFERENCES scans(id),
        outcome TEXT, value REAL, data_timestamp TEXT NOT NULL,
        -- the check object as received (diagnostics, outcome reasons and unknown keys inside)
        raw TEXT NOT NULL, seq INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS results_check ON results(check_id, data_timestamp);
    `);
    // Data folders from before value_text existed get the column (empty) instead of failing.
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(checks)').all();
    if (!columns.some((c) => c.name === 'value_text')) db.exec('ALTER TABLE checks ADD COLUMN value_text TEXT');
    this.s = {
      getSeq: db.prepare<[], { value: number }>("SELECT value FROM catalog_meta WHERE key = 'seq'"),
      setSeq: db.prepare(
        "INSERT INTO catalog_meta (key, value) VALUES ('seq', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
      ),
      insertScan: db.prepare(
        `INSERT INTO scans VALUES (@id, @definitionName, @dataTimestamp, @scanStart, @scanEnd, @hasErrors,
          @hasWarnings, @hasFailures, @receivedAt, @checkCount, @raw)`
      ),
      upsertCheck: db.prepare(
        `INSERT INTO checks VALUES (@id, @identity, @dataSource, @table, @column, @name, @type, @definition,
          @attributes, @outcome, @value, @evaluatedAt, @resultId, 1, @seq, @valueText)
         ON CONFLICT(id) DO UPDATE SET
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
        'INSERT INTO results VALUES (@id, @checkId, @scanId, @outcome, @value, @dataTimestamp, @raw, @seq)'
      ),
      page: db.prepare<[number, number], CheckRow>('SELECT * FROM checks WHERE seq > ? ORDER BY seq LIMIT ?'),
      one: db.prepare<[string], CheckRow>('SELECT * FROM checks WHERE id = ?'),
      results: db.prepare<[string, number], ResultRow>(
        `SELECT * FROM (SELECT * FROM results WHERE check_id = ? ORDER BY data_timestamp DESC, seq DESC LIMIT ?)
         ORDER BY data_timestamp, seq`
      ),
      count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM checks')
    };
  }

  async ingest(scan: ParsedScan, receivedAt: string): Promise<StoredScan> {
    const s = this.s;
    return this.db.transaction((): StoredScan => {
      let seq = s.getSeq.get()?.value ?? 0;
      const scanId = ulid();
      s.insertScan.run({
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
      const at = Date.parse(scan.dataTimestamp);
      for (const c of scan.checks) {
        const id = checkId(c.dataSource, c.identity);
        const resultId = ulid(at);
        seq += 1;
        outcomes[c.outcome ?? 'error']++;
        const upserted = s.upsertCheck.get({
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
      s.setSeq.run(seq);
      return { scanId, stored: scan.checks.length, newChecks, outcomes };
    })();
  }

  async listChecks(cursor: number, limit: number): Promise<ChecksPage> {
    const rows = this.s.page.all(cursor, limit + 1);
    const hasMore = rows.length > limit;
    const checks = rows.slice(0, limit).map(toSummary);
    return { checks, cursor: checks.length ? checks[checks.length - 1]!.seq : cursor, hasMore };
  }

  async getCheck(id: string): Promise<CheckSummary | null> {
    const row = this.s.one.get(id);
    return row ? toSummary(row) : null;
  }

  async listResults(checkId: string, limit: number): Promise<CheckResult[]> {
    return this.s.results.all(checkId, limit).map(toResult);
  }

  async checkCount(): Promise<number> {
    return this.s.count.get()?.n ?? 0;
  }
}
