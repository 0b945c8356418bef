import * as Y from 'yjs';
import { IncidentSummaryFieldsSchema, type IncidentMap, type LinkedResult } from '@firebreak/shared';
import type { IncidentSummary } from '../incidents/list.ts';

/**
 * Reads what the dashboard shows of one incident (no text, no timeline) through the shared
 * schema: an entry a client wrote badly comes back `invalid`, and the list shows a placeholder row
 * until the server's repair arrives.
 */
export function readSummary(id: string, m: unknown): IncidentSummary {
  if (!(m instanceof Y.Map)) return placeholder(id);
  const map = m as IncidentMap;
  const fields = IncidentSummaryFieldsSchema.safeParse({
    title: map.get('title'),
    severity: map.get('severity'),
    status: map.get('status'),
    leadId: map.get('leadId') ?? null,
    reporterId: map.get('reporterId'),
    createdAt: map.get('createdAt'),
    resolvedAt: map.get('status') === 'resolved' ? (map.get('resolvedAt') ?? null) : null
  });
  if (!fields.success) return placeholder(id);
  const results = map.get('results');
  const links: Array<{ resultId: string; checkId: string; at: string }> = [];
  if (results instanceof Y.Map) {
    for (const [resultId, v] of results.entries()) {
      const r = v as Partial<LinkedResult> | null;
      links.push({ resultId, checkId: r?.checkId ?? '', at: r?.linkedAt ?? '' });
    }
    links.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }
  return { id, ...fields.data, invalid: false, links: links.map(({ resultId, checkId }) => ({ resultId, checkId })) };
}

function placeholder(id: string): IncidentSummary {
  return {
    id,
    title: '',
    severity: 'minor',
    status: 'reported',
    leadId: null,
    reporterId: '',
    createdAt: '',
    resolvedAt: null,
    invalid: true,
    links: []
  };
}

/** Whether two summaries would render the same dashboard row. */
export function sameSummary(a: IncidentSummary, b: IncidentSummary): boolean {
  if (
    a.invalid !== b.invalid ||
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
