import * as Y from 'yjs';
import type { IncidentMap, LinkedResult, Severity, Status } from '@firebreak/shared';
import type { IncidentSummary } from '../incidents/list.ts';

/** Reads what the dashboard shows of one incident; cheaper than `readIncident` (no text, no timeline). */
export function readSummary(id: string, m: IncidentMap): IncidentSummary {
  const str = (k: string, d = '') => {
    const v = m.get(k);
    return typeof v === 'string' ? v : d;
  };
  const lead = m.get('leadId');
  const resolvedAt = m.get('resolvedAt');
  const results = m.get('results');
  const links: Array<{ resultId: string; checkId: string; at: string }> = [];
  if (results instanceof Y.Map) {
    for (const [resultId, v] of results.entries()) {
      const r = v as Partial<LinkedResult> | null;
      links.push({ resultId, checkId: r?.checkId ?? '', at: r?.linkedAt ?? '' });
    }
    links.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
  return {
    id,
    title: str('title'),
    severity: str('severity', 'minor') as Severity,
    status: str('status', 'reported') as Status,
    leadId: typeof lead === 'string' ? lead : null,
    reporterId: str('reporterId'),
    createdAt: str('createdAt'),
    resolvedAt: typeof resolvedAt === 'string' ? resolvedAt : null,
    links: links.map(({ resultId, checkId }) => ({ resultId, checkId }))
  };
}

/** Whether two summaries would render the same dashboard row. */
export function sameSummary(a: IncidentSummary, b: IncidentSummary): boolean {
  if (
    a.title !== b.title ||
    a.severity !== b.severity ||
    a.status !== b.status ||
    a.leadId !== b.leadId ||
    a.reporterId !== b.reporterId ||
    a.createdAt !== b.createdAt ||
    a.resolvedAt !== b.resolvedAt ||
    a.links.length !== b.links.length
  )
    return false;
  return a.links.every((l, i) => l.resultId === b.links[i].resultId && l.checkId === b.links[i].checkId);
}
