import * as Y from 'yjs';
import {
  datasetName,
  formatNumber,
  incidentLinks,
  incidentsMap,
  numbersMap,
  parseIncident,
  type Incident,
  type Member,
  type Outcome,
  valueText as sodaValueText
} from '@firebreak/shared';
import type { Db } from '../db/types.ts';
import type { CheckResultView, IncidentView, Person } from './types.ts';

/**
 * Builds what notifiers see (IncidentView, CheckResultView) from the live documents and the
 * catalog at delivery time, so a retry tells the incident as it is now.
 */
export class ViewBuilder {
  constructor(
    private readonly db: Db,
    private readonly members: { get(workspaceId: string, id: string): Member | null },
    private readonly publicUrl: () => string
  ) {}

  incidentUrl(workspaceId: string, id: string): string {
    return `${this.publicUrl()}/w/${encodeURIComponent(workspaceId)}/incidents/${encodeURIComponent(id)}`;
  }

  checkUrl(workspaceId: string, checkId: string): string {
    return `${this.publicUrl()}/w/${encodeURIComponent(workspaceId)}/checks/${encodeURIComponent(checkId)}`;
  }

  person(workspaceId: string, id: string | null): Person | null {
    if (!id) return null;
    const m = this.members.get(workspaceId, id);
    return m ? { id: m.id, name: m.name, email: m.email } : { id, name: id, email: '' };
  }

  /** The incident as integrations tell it, or null when it is missing or unreadable. */
  incident(workspaceId: string, doc: Y.Doc, sys: Y.Doc, id: string): IncidentView | null {
    const read = parseIncident(id, incidentsMap(doc).get(id));
    if (!read.ok) return null;
    return this.incidentFrom(workspaceId, read.incident, sys);
  }

  incidentFrom(workspaceId: string, inc: Incident, sys: Y.Doc): IncidentView {
    const n = numbersMap(sys).get(inc.id);
    const number = typeof n === 'number' ? n : null;
    const reason = inc.timeline
      .filter((e) => e.kind === 'status' && e.to === 'resolved')
      .map((e) => (e as { reason?: unknown }).reason)
      .filter((r): r is string => typeof r === 'string')
      .pop();
    return {
      id: inc.id,
      number,
      key: formatNumber(number ?? undefined) ?? 'INC-?',
      title: inc.title,
      description: inc.description,
      severity: inc.severity,
      status: inc.status,
      createdAt: inc.createdAt,
      updatedAt: inc.updatedAt,
      resolvedAt: inc.resolvedAt,
      resolutionNotes: inc.resolutionNotes,
      resolutionReason: reason ?? null,
      url: this.incidentUrl(workspaceId, inc.id),
      lead: this.person(workspaceId, inc.leadId),
      reporter: this.person(workspaceId, inc.reporterId),
      checkResults: this.results(
        workspaceId,
        inc.results.map((r) => r.resultId)
      ),
      links: incidentLinks(sys, inc.id)
        .filter((l) => l.url !== null && l.state !== 'pending')
        .map((l) => ({ integration: l.integration, name: l.name, url: l.url }))
    };
  }

  /** Check results by id, in the order asked (unknown ids are left out). */
  results(workspaceId: string, ids: readonly string[]): CheckResultView[] {
    if (!ids.length) return [];
    const out: CheckResultView[] = [];
    const stmt = this.db.prepare<[string, string], ResultJoin>(
      `SELECT r.id AS id, r.check_id AS check_id, r.outcome AS outcome, r.value AS value,
              r.data_timestamp AS data_timestamp, r.raw AS raw, c.name AS name, c.definition AS definition,
              c.data_source AS data_source, c.table_name AS table_name, c.column_name AS column_name
       FROM results r JOIN checks c ON c.workspace_id = r.workspace_id AND c.id = r.check_id
       WHERE r.workspace_id = ? AND r.id = ?`
    );
    for (const id of ids) {
      const r = stmt.get(workspaceId, id);
      if (!r) continue;
      const raw = safeJson(r.raw);
      const diagnostics = (raw?.diagnostics ?? null) as Record<string, unknown> | null;
      const valueText = sodaValueText(diagnostics);
      out.push({
        id: r.id,
        checkId: r.check_id,
        name: r.name,
        definition: r.definition,
        dataset: datasetName(r.data_source, r.table_name),
        dataSource: r.data_source,
        table: r.table_name,
        column: r.column_name,
        outcome: r.outcome,
        dataTimestamp: r.data_timestamp,
        value: r.value,
        valueText,
        diagnostics,
        url: this.checkUrl(workspaceId, r.check_id)
      });
    }
    return out;
  }
}

interface ResultJoin {
  id: string;
  check_id: string;
  outcome: Outcome | null;
  value: number | null;
  data_timestamp: string;
  raw: string;
  name: string;
  definition: string | null;
  data_source: string;
  table_name: string | null;
  column_name: string | null;
}

function safeJson(s: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(s) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
