import {
  incidentsMap,
  linkResults,
  parseIncident,
  SERVER,
  SERVER_ACTOR,
  setStatus,
  type Incident
} from '@firebreak/shared';
import type { Logger } from 'pino';
import type { Db } from '../db/types.ts';
import type { WorkspaceStore } from '../access/workspaces.ts';
import type { WorkspaceService } from './workspace-service.ts';

export interface GroupingDeps {
  db: Db;
  workspaces: WorkspaceStore;
  workspace: WorkspaceService;
  log: Logger;
  now?: () => Date;
}

export interface GroupingOutcome {
  /** incident id → results linked by this scan */
  linked: Record<string, number>;
  /** incidents resolved because their checks passed long enough */
  resolved: string[];
}

/**
 * The server's bookkeeping after each ingest, through the shared domain operations with the
 * server's origin: new warn/fail results of a check linked to an open incident are linked to it
 * (one timeline entry per incident and scan), and with `autoResolveAfterScans` set, an open
 * incident whose checks all passed in that many consecutive scans is resolved. Both are
 * idempotent (results are linked by id; a resolved incident is not resolved again), so a retried
 * ingest or a second server process seeing the same scan changes nothing more.
 */
export class Grouping {
  constructor(private readonly deps: GroupingDeps) {}

  async afterIngest(
    workspaceId: string,
    scan: { id: string; name: string },
    alerts: ReadonlyArray<{ resultId: string; checkId: string }>
  ): Promise<GroupingOutcome> {
    const settings = this.deps.workspaces.get(workspaceId)?.settings;
    const out: GroupingOutcome = { linked: {}, resolved: [] };
    if (!settings) return out;
    const wantLink = settings.autoLink && alerts.length > 0;
    const after = settings.autoResolveAfterScans;
    if (!wantLink && after === null) return out;
    const at = (this.deps.now?.() ?? new Date()).toISOString();
    await this.deps.workspace.withWorkspace(workspaceId, (doc) => {
      const open: Incident[] = [];
      for (const [id, m] of incidentsMap(doc).entries()) {
        const read = parseIncident(id, m);
        if (read.ok && read.incident.status !== 'resolved' && read.incident.results.length) open.push(read.incident);
      }
      for (const inc of open) {
        const checks = new Set(inc.results.map((r) => r.checkId));
        if (wantLink) {
          const refs = alerts.filter((a) => checks.has(a.checkId));
          const n = refs.length ? linkResults(doc, inc.id, refs, SERVER_ACTOR, { origin: SERVER, at, scan }) : 0;
          if (n) out.linked[inc.id] = n;
        }
        if (after !== null && !out.linked[inc.id] && this.passedFor(workspaceId, [...checks], after)) {
          setStatus(doc, inc.id, 'resolved', SERVER_ACTOR, {
            origin: SERVER,
            at,
            resolutionNotes: `All ${checks.size} linked check${checks.size === 1 ? '' : 's'} passed in the last ${after} scan${after === 1 ? '' : 's'} (latest: ${scan.name}); resolved automatically by Firebreak.`
          });
          out.resolved.push(inc.id);
        }
      }
    });
    if (Object.keys(out.linked).length || out.resolved.length)
      this.deps.log.info({ workspace: workspaceId, scan: scan.id, ...out }, 'grouping');
    return out;
  }

  /**
   * Whether the last `n` scans that evaluated any of `checks` all passed every one of them
   * (counted by scan, not by result: a scan with three of the checks counts once).
   */
  passedFor(workspaceId: string, checks: string[], n: number): boolean {
    if (!checks.length) return false;
    const marks = checks.map(() => '?').join(', ');
    const rows = this.deps.db
      .prepare<unknown[], { bad: number }>(
        `SELECT max(CASE WHEN r.outcome = 'pass' THEN 0 ELSE 1 END) AS bad
         FROM results r JOIN scans s ON s.id = r.scan_id
         WHERE r.workspace_id = ? AND r.check_id IN (${marks})
         GROUP BY r.scan_id ORDER BY max(s.data_timestamp) DESC, max(s.received_at) DESC LIMIT ?`
      )
      .all(workspaceId, ...checks, n);
    return rows.length === n && rows.every((r) => r.bad === 0);
  }
}
