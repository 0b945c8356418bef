import { Dexie, liveQuery, type EntityTable, type Subscription } from 'dexie';
import type { CheckResult, CheckSummary, ChecksPage, ResultsPage } from '@firebreak/shared';
import { api, ApiError, wsApi } from '../api.ts';
import { sortChecks, toCheckRow, type CheckRow } from '../checks/list.ts';

/** Checks per request; the server may answer with fewer. */
const PAGE_SIZE = 2000;
/** The `meta` row holding every check's CheckRow as one array. */
const CHECK_LIST = 'check-rows';

interface MetaRow {
  key: string;
  value: unknown;
}

/**
 * The browser's mirror of the server's check catalog: one database per workspace. `checks`
 * holds one full summary per check; the `meta` row `check-rows` holds the dashboards' slim rows of
 * every check as one array, which is what they read (one small record deserializes several
 * times faster than 5,000 full ones: the Checks dashboard's first render waits for it).
 */
class CatalogDb extends Dexie {
  checks!: EntityTable<CheckSummary, 'id'>;
  results!: EntityTable<CheckResult, 'id'>;
  meta!: EntityTable<MetaRow, 'key'>;

  constructor(workspaceId: string) {
    super(`firebreak-catalog:${workspaceId}`);
    this.version(1).stores({ checks: 'id', results: 'id, [checkId+dataTimestamp]', meta: 'key' });
  }
}

/**
 * The check catalog: reads come from Dexie (so they work offline), `pull()` fetches what changed
 * since the stored cursor. The dashboards read `checks`; a check's page uses a CheckHistory.
 */
export class Catalog {
  readonly #db: CatalogDb;
  readonly #workspaceId: string;
  #sub: Subscription;
  #checks = $state.raw<CheckRow[] | null>(null);
  #byId = $derived(new Map((this.#checks ?? []).map((c) => [c.id, c])));
  #running: Promise<void> | null = null;
  #again = false;

  /** At least one pull finished (successfully or not) since the app started. */
  pulledOnce = $state(false);
  /** Why the last pull failed; null after a success. */
  error = $state<ApiError | null>(null);

  constructor(workspaceId: string) {
    this.#workspaceId = workspaceId;
    this.#db = new CatalogDb(workspaceId);
    // Reading starts with the app, not at mount: the dashboard's first render waits for it.
    this.#sub = liveQuery(async () => {
      const list = await this.#db.meta.get(CHECK_LIST);
      return Array.isArray(list?.value)
        ? (list.value as CheckRow[])
        : (await this.#db.checks.toArray()).map(toCheckRow);
    }).subscribe({
      next: (checks) => (this.#checks = checks),
      error: (err: unknown) => {
        console.error('Reading the local check catalog failed', err);
        this.#checks = [];
      }
    });
  }

  /** Stops mirroring and closes the database. */
  stop(): void {
    this.#sub.unsubscribe();
    this.#db.close();
  }

  /** Every known check, or null until the local database answered. */
  get checks(): readonly CheckRow[] | null {
    return this.#checks;
  }

  check(id: string): CheckRow | undefined {
    return this.#byId.get(id);
  }

  /** A check's full summary (definition, attributes) from the local mirror. */
  localCheck(id: string): Promise<CheckSummary | undefined> {
    return this.#db.checks.get(id);
  }

  /** Fetches the changes since the last pull; concurrent calls coalesce into one more round. */
  pull(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#pullOnce();
        } while (this.#again);
        this.error = null;
      } catch (err) {
        this.error = err instanceof ApiError ? err : new ApiError('client', String(err), 0);
      } finally {
        this.pulledOnce = true;
        this.#running = null;
      }
    })();
    return this.#running;
  }

  async #pullOnce(): Promise<void> {
    const stored = await this.#db.meta.get('cursor');
    let cursor = typeof stored?.value === 'number' ? stored.value : 0;
    for (;;) {
      const page = await api.get<ChecksPage>(wsApi(this.#workspaceId, `/checks?cursor=${cursor}&limit=${PAGE_SIZE}`));
      await this.#db.transaction('rw', this.#db.checks, this.#db.meta, async () => {
        await this.#putChecks(page.checks);
        await this.#db.meta.put({ key: 'cursor', value: page.cursor });
      });
      // Stop on a page that does not advance, so a confused server cannot spin us forever.
      if (!page.hasMore || page.cursor === cursor) return;
      cursor = page.cursor;
    }
  }

  /** A check's results from the local mirror, oldest first. */
  async localResults(checkId: string): Promise<CheckResult[]> {
    return this.#db.results
      .where('[checkId+dataTimestamp]')
      .between([checkId, Dexie.minKey], [checkId, Dexie.maxKey])
      .toArray();
  }

  /**
   * Warn/fail results per check id as far as this browser knows: the results mirrored locally
   * (histories that were opened), and at least the latest result of every failing or warning check.
   */
  async badResultCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    await this.#db.results.each((r) => {
      if (r.outcome === 'warn' || r.outcome === 'fail') counts.set(r.checkId, (counts.get(r.checkId) ?? 0) + 1);
    });
    for (const c of this.#checks ?? []) {
      if ((c.outcome === 'warn' || c.outcome === 'fail') && !counts.has(c.id)) counts.set(c.id, 1);
    }
    return counts;
  }

  /** Fetches a check's full history from the server and mirrors it; returns it oldest first. */
  async fetchResults(checkId: string): Promise<ResultsPage> {
    const page = await api.get<ResultsPage>(wsApi(this.#workspaceId, `/checks/${encodeURIComponent(checkId)}/results`));
    await this.#db.transaction('rw', this.#db.results, this.#db.checks, this.#db.meta, async () => {
      await this.#db.results.bulkPut(page.results);
      // Only a newer summary is written: every write re-runs the dashboard's live query.
      const known = await this.#db.checks.get(page.check.id);
      if (!known || known.seq < page.check.seq) await this.#putChecks([page.check]);
    });
    return page;
  }

  /** Stores checks as rows and in the list row; call inside a rw transaction on checks and meta. */
  async #putChecks(checks: readonly CheckSummary[]): Promise<void> {
    if (!checks.length) return;
    await this.#db.checks.bulkPut(checks.slice());
    const stored = await this.#db.meta.get(CHECK_LIST);
    const rows = Array.isArray(stored?.value)
      ? (stored.value as CheckRow[])
      : (await this.#db.checks.toArray()).map(toCheckRow);
    const byId = new Map(rows.map((c) => [c.id, c]));
    for (const c of checks) byId.set(c.id, toCheckRow(c));
    // Stored in dashboard order, so the first render's sort finds it already sorted.
    await this.#db.meta.put({ key: CHECK_LIST, value: sortChecks([...byId.values()]) });
  }

  /**
   * The given results (of incidents' linked results), from the local mirror, fetching the
   * history of any check whose result is not mirrored yet. Missing ones are left out.
   */
  async resultsFor(links: ReadonlyArray<{ resultId: string; checkId: string }>): Promise<Map<string, CheckResult>> {
    const out = new Map<string, CheckResult>();
    if (!links.length) return out;
    const found = await this.#db.results.bulkGet(links.map((l) => l.resultId));
    const missing = new Set<string>();
    links.forEach((l, i) => {
      const r = found[i];
      if (r) out.set(l.resultId, r);
      else missing.add(l.checkId);
    });
    await Promise.all(
      [...missing].map(async (checkId) => {
        try {
          const page = await this.fetchResults(checkId);
          for (const r of page.results) if (links.some((l) => l.resultId === r.id)) out.set(r.id, r);
        } catch {
          // Offline or gone: the row shows what the link itself knows.
        }
      })
    );
    return out;
  }
}

/**
 * One check's result history for its page: shows the local mirror at once, then the server's.
 * `refresh()` again when the check's latest result changes.
 */
export class CheckHistory {
  results = $state.raw<CheckResult[] | null>(null);
  /** The check's full summary: from the local mirror, then as the server last described it. */
  check = $state.raw<CheckSummary | null>(null);
  loading = $state(false);
  error = $state<ApiError | null>(null);
  #catalog: Catalog;
  #checkId: string;
  #generation = 0;

  constructor(catalog: Catalog, checkId: string) {
    this.#catalog = catalog;
    this.#checkId = checkId;
  }

  async refresh(): Promise<void> {
    const gen = ++this.#generation;
    this.loading = true;
    try {
      if (this.results === null) {
        const [check, local] = await Promise.all([
          this.#catalog.localCheck(this.#checkId),
          this.#catalog.localResults(this.#checkId)
        ]);
        if (gen !== this.#generation) return;
        this.check ??= check ?? null;
        if (local.length) this.results = local;
      }
      const page = await this.#catalog.fetchResults(this.#checkId);
      if (gen !== this.#generation) return;
      this.results = page.results;
      this.check = page.check;
      this.error = null;
    } catch (err) {
      if (gen !== this.#generation) return;
      this.error = err instanceof ApiError ? err : new ApiError('client', String(err), 0);
      this.results ??= [];
    } finally {
      if (gen === this.#generation) this.loading = false;
    }
  }
}
