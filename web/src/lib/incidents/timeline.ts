import {
  RESOLUTION_REASON_LABEL,
  SERVER_ACTOR,
  SEVERITY_LABEL,
  isResolutionReason,
  STATUS_LABEL,
  isReopen,
  type Severity,
  type Status,
  type TimelineEvent
} from '@firebreak/shared';

export interface TimelineContext {
  memberName: (id: string) => string | undefined;
  checkName: (id: string) => string | undefined;
}

const label = <K extends string>(labels: Record<K, string>, v: unknown): string =>
  typeof v === 'string' && v in labels ? labels[v as K] : String(v ?? 'none');

function checkOf(v: unknown, ctx: TimelineContext): string {
  const id = typeof v === 'object' && v !== null ? (v as { checkId?: unknown }).checkId : undefined;
  if (typeof id !== 'string') return 'a check';
  return ctx.checkName(id) ?? id;
}

function memberOf(v: unknown, ctx: TimelineContext): string {
  return typeof v === 'string' ? (ctx.memberName(v) ?? 'an unknown member') : 'nobody';
}

/** Who made a change: a member's name, "Firebreak" for the server's own changes, else "Someone". */
export function actorName(by: string, ctx: Pick<TimelineContext, 'memberName'>): string {
  if (by === SERVER_ACTOR) return 'Firebreak';
  return ctx.memberName(by) ?? 'Someone';
}

function linkedResults(to: unknown, ctx: TimelineContext): string | null {
  if (typeof to !== 'object' || to === null) return null;
  const { results, scan } = to as { results?: unknown; scan?: { name?: unknown } };
  if (!Array.isArray(results)) return null;
  const n = results.length;
  const what = `linked ${n} new failing ${n === 1 ? 'result' : 'results'}`;
  const name = typeof scan?.name === 'string' && scan.name ? scan.name : null;
  if (name) return `${what} from scan “${name}”`;
  if (n === 1) return `${what} of ${checkOf(results[0], ctx)}`;
  return what;
}

/** What happened, as the rest of a sentence that starts with who did it. */
export function describeEvent(ev: TimelineEvent, ctx: TimelineContext): string {
  switch (ev.kind) {
    case 'created': {
      const sev = (ev.to as { severity?: Severity } | undefined)?.severity;
      return sev ? `reported the incident as ${label(SEVERITY_LABEL, sev)}` : 'reported the incident';
    }
    case 'title':
      return `renamed the incident from “${String(ev.from ?? '')}” to “${String(ev.to ?? '')}”`;
    case 'severity':
      return `changed severity from ${label(SEVERITY_LABEL, ev.from)} to ${label(SEVERITY_LABEL, ev.to)}`;
    case 'status': {
      const sentence = `changed status from ${label<Status>(STATUS_LABEL, ev.from)} to ${label<Status>(STATUS_LABEL, ev.to)}`;
      if (isReopen(ev.from, ev.to)) return `reopened the incident: ${sentence.replace('changed ', '')}`;
      return ev.to === 'resolved' && isResolutionReason(ev.reason)
        ? `${sentence} (${RESOLUTION_REASON_LABEL[ev.reason]})`
        : sentence;
    }
    case 'lead':
      if (ev.to === null || ev.to === undefined) return `removed ${memberOf(ev.from, ctx)} as lead`;
      if (ev.from === null || ev.from === undefined) return `made ${memberOf(ev.to, ctx)} the lead`;
      return `changed the lead from ${memberOf(ev.from, ctx)} to ${memberOf(ev.to, ctx)}`;
    case 'description':
      return 'edited the description';
    case 'linked':
      return linkedResults(ev.to, ctx) ?? `linked a result of ${checkOf(ev.to, ctx)}`;
    case 'unlinked':
      return `unlinked a result of ${checkOf(ev.from, ctx)}`;
    default:
      return 'changed the incident';
  }
}
