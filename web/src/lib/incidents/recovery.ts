import type { Status } from '@firebreak/shared';
import type { CheckRow } from '../checks/list.ts';

/**
 * The recovery suggestion on an open incident: every check linked to it passed in its latest
 * result (a newer result than the ones linked). Pure, from the catalog's latest outcomes.
 */
export interface Recovery {
  /** When the last of them was seen passing (the latest evaluation among them, ISO). */
  since: string;
  checks: ReadonlyArray<Pick<CheckRow, 'id' | 'name' | 'dataset' | 'evaluatedAt'>>;
}

export function recoveryOf(
  incident: { status: Status; results: ReadonlyArray<{ resultId: string; checkId: string }> },
  check: (
    id: string
  ) => Pick<CheckRow, 'id' | 'name' | 'dataset' | 'outcome' | 'evaluatedAt' | 'lastResultId'> | undefined
): Recovery | null {
  if (incident.status === 'resolved' || incident.results.length === 0) return null;
  const linked = new Set(incident.results.map((r) => r.resultId));
  const checks: Recovery['checks'][number][] = [];
  let since = -Infinity;
  let sinceIso = '';
  for (const id of new Set(incident.results.map((r) => r.checkId))) {
    const c = check(id);
    // Unknown to this browser, not passing, or its latest result is one of the linked ones: no suggestion.
    if (!c || c.outcome !== 'pass' || linked.has(c.lastResultId)) return null;
    const at = Date.parse(c.evaluatedAt);
    if (at > since) {
      since = at;
      sinceIso = c.evaluatedAt;
    }
    checks.push({ id: c.id, name: c.name, dataset: c.dataset, evaluatedAt: c.evaluatedAt });
  }
  return { since: sinceIso, checks };
}

/** The resolution notes the one-click Resolve proposes: what passed, and when. */
export function recoveryNotes(r: Recovery, time: (iso: string) => string): string {
  const lines = r.checks.map((c) => `- ${c.name} (${c.dataset}) passed at ${time(c.evaluatedAt)}`);
  return [`All linked checks pass again:`, ...lines].join('\n');
}
