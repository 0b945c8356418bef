import {
  checkId,
  datasetName,
  ulid,
  type CheckResult,
  type CheckSummary,
  type ChecksPage,
  type Outcome,
  type CheckSource,
  type ParsedScan,
  valueText
} from '@firebreak/shared';
import type { Db } from '../db/open.ts';

export interface StoredScan {
  scanId: string;
  stored: number;
  newChecks: number;
  outcomes: { pass: number; warn: number; fail: number; error: number };
  /** The results that warn or fail (integrations hear about them; grouping links them). */
  alerts: Array<{ resultId: string; checkId: string }>;
  /** True when this scan had been stored before (same dedupe key): nothing was written. */
  alreadyStored?: boolean;
}

export interface IngestOptions {
  /** Which tool wrote it. */
  source?: CheckSource;
  /** The same key twice stores once (see migration 4). */
  dedupeKey?: string | null;
  /** Runs inside the same transaction (the outbox records alerts with the results). */
  inTransaction?: (stored: StoredScan) => void;
}

/**
 * The check catalog: checks, scans and the full history of results. Server-authored and far too
 * large for a CRDT; browsers mirror it by cursor (`seq`, bumped on every row an ingest touches).
 */
export interface CatalogStore {
  /** Stores one scan atomically: all of it or, on any error, nothing. */
  ingest(workspaceId: string, scan: ParsedScan, receivedAt: string, opts?: IngestOptions): Promise<StoredScan>;
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
  source: string | null;
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
  detail: string | null;
}

const toSummary = (r: CheckRow): CheckSummary => ({
  id: r.id,
  source: (r.source ?? 'soda') as CheckSource,
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
  // Results stored since migration 4 carry the parser's normalized detail; older ones are Soda checks as received.
  const detail = r.detail
    ? (JSON.parse(r.detail) as {
        diagnostics: CheckResult['diagnostics'];
        outcomeReasons: CheckResult['outcomeReasons'];
        valueText: string | null;
      })
    : null;
  const raw = detail
    ? { diagnostics: detail.diagnostics ?? undefined, outcomeReasons: detail.outcomeReasons }
    : (JSON.parse(r.raw) as {
        diagnostics?: CheckResult['diagnostics'];
        outcomeReasons?: CheckResult['outcomeReasons'];
      });
  return {
    id: r.id,
    checkId: r.check_id,
    scanId: r.scan_id,
    outcome: r.outcome,
    value: r.value,
    valueText: detail ? detail.valueText : valueText(raw.diagnostics),
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
          has_warnings, has_failures, received_at, check_count, raw, source, dedupe_key)
         VALUES (@workspaceId, @id, @definitionName, @dataTimestamp, @scanStart, @scanEnd, @hasErrors,
          @hasWarnings, @hasFailures, @receivedAt, @checkCount, @raw, @source, @dedupeKey)`
      ),
      upsertCheck: db.prepare(
        `INSERT INTO checks (workspace_id, id, identity, data_source, table_name, column_name, name, type, definition,
          attributes, outcome, value, evaluated_at, last_result_id, result_count, seq, value_text, source)
         VALUES (@workspaceId, @id, @identity, @dataSource, @table, @column, @name, @type, @definition,
          @attributes, @outcome, @value, @evaluatedAt, @resultId, 1, @seq, @valueText, @source)
         ON CONFLICT(workspace_id, id) DO UPDATE SET source = excluded.source,
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
        `INSERT INTO results (workspace_id, id, check_id, scan_id, outcome, value, data_timestamp, raw, seq, detail)
         VALUES (@workspaceId, @id, @checkId, @scanId, @outcome, @value, @dataTimestamp, @raw, @seq, @detail)`
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
      count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM checks WHERE workspace_id = ?'),
      byDedupe: db.prepare<[string, string], { id: string }>(
        'SELECT id FROM scans WHERE workspace_id = ? AND dedupe_key = ?'
      ),
      scanResults: db.prepare<[string, string], { id: string; check_id: string; outcome: Outcome | null }>(
        'SELECT id, check_id, outcome FROM results WHERE workspace_id = ? AND scan_id = ?'
      ),
      scanRow: db.prepare<[string, string], { check_count: number }>(
        'SELECT check_count FROM scans WHERE workspace_id = ? AND id = ?'
      )
    };
  }

  async ingest(
    workspaceId: string,
    scan: ParsedScan,
    receivedAt: string,
    opts: IngestOptions = {}
  ): Promise<StoredScan> {
    const s = this.s;
    return this.db.transaction((): StoredScan => {
      if (opts.dedupeKey) {
        const seen = s.byDedupe.get(workspaceId, opts.dedupeKey);
        if (seen) return this.storedSummary(workspaceId, seen.id);
      }
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
        raw: JSON.stringify(scan.raw),
        source: opts.source ?? 'soda',
        dedupeKey: opts.dedupeKey ?? null
      });
      const outcomes = { pass: 0, warn: 0, fail: 0, error: 0 };
      let newChecks = 0;
      const alerts: StoredScan['alerts'] = [];
      const at = Date.parse(scan.dataTimestamp);
      for (const c of scan.checks) {
        const id = checkId(c.dataSource, c.identity);
        const resultId = ulid(at);
        seq += 1;
        outcomes[c.outcome ?? 'error']++;
        if (c.outcome === 'warn' || c.outcome === 'fail') alerts.push({ resultId, checkId: id });
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
          seq,
          source: c.source ?? opts.source ?? 'soda'
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
          seq,
          detail: JSON.stringify({
            diagnostics: c.diagnostics,
            outcomeReasons: c.outcomeReasons,
            valueText: c.valueText
          })
        });
      }
      s.setSeq.run(workspaceId, seq);
      const stored = { scanId, stored: scan.checks.length, newChecks, outcomes, alerts };
      opts.inTransaction?.(stored);
      return stored;
    })();
  }

  /** What an earlier ingest of the same scan stored (the answer to a repeated request). */
  private storedSummary(workspaceId: string, scanId: string): StoredScan {
    const outcomes = { pass: 0, warn: 0, fail: 0, error: 0 };
    const results = this.s.scanResults.all(workspaceId, scanId);
    for (const r of results) outcomes[r.outcome ?? 'error']++;
    return {
      scanId,
      stored: this.s.scanRow.get(workspaceId, scanId)?.check_count ?? results.length,
      newChecks: 0,
      outcomes,
      // Handed on again: grouping and the outbox are idempotent, so a retried request repairs what a crash cut short.
      alerts: results
        .filter((r) => r.outcome === 'warn' || r.outcome === 'fail')
        .map((r) => ({ resultId: r.id, checkId: r.check_id })),
      alreadyStored: true
    };
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
