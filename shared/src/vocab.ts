/** Vocabularies shared by every package: one definition, labels and orders beside it. */

export const Severity = { Minor: 'minor', Major: 'major', Critical: 'critical' } as const;
export type Severity = (typeof Severity)[keyof typeof Severity];
export const SEVERITIES = ['minor', 'major', 'critical'] as const satisfies readonly Severity[];
/** Worst first: the order of every severity select, filter and menu. */
export const SEVERITIES_WORST_FIRST = ['critical', 'major', 'minor'] as const satisfies readonly Severity[];
/** Higher sorts first on the Incidents dashboard. */
export const SEVERITY_ORDER: Record<Severity, number> = { minor: 1, major: 2, critical: 3 };
export const SEVERITY_LABEL: Record<Severity, string> = { minor: 'Minor', major: 'Major', critical: 'Critical' };

export const Status = {
  Reported: 'reported',
  Investigating: 'investigating',
  Fixing: 'fixing',
  Resolved: 'resolved'
} as const;
export type Status = (typeof Status)[keyof typeof Status];
export const STATUSES = ['reported', 'investigating', 'fixing', 'resolved'] as const satisfies readonly Status[];
export const STATUS_ORDER: Record<Status, number> = { reported: 0, investigating: 1, fixing: 2, resolved: 3 };
export const STATUS_LABEL: Record<Status, string> = {
  reported: 'Reported',
  investigating: 'Investigating',
  fixing: 'Fixing',
  resolved: 'Resolved'
};

/** Why an incident was resolved, asked for on Resolve beside (or instead of) notes. */
export const RESOLUTION_REASONS = ['fixed', 'false_positive', 'expected_change', 'wont_fix'] as const;
export type ResolutionReason = (typeof RESOLUTION_REASONS)[number];
export const RESOLUTION_REASON_LABEL: Record<ResolutionReason, string> = {
  fixed: 'Fixed',
  false_positive: 'False positive',
  expected_change: 'Expected change',
  wont_fix: "Won't fix"
};
export function isResolutionReason(v: unknown): v is ResolutionReason {
  return typeof v === 'string' && (RESOLUTION_REASONS as readonly string[]).includes(v);
}

export const Outcome = { Pass: 'pass', Warn: 'warn', Fail: 'fail' } as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];
/** `null` outcome = the check could not be evaluated (Soda reports an error for it). */
export type OutcomeOrError = Outcome | null;
export const OUTCOME_LABEL: Record<Outcome | 'error', string> = {
  pass: 'Pass',
  warn: 'Warn',
  fail: 'Fail',
  error: 'Not evaluated'
};
/** Worst first, for sorting the Checks dashboard by outcome. */
export const OUTCOME_ORDER: Record<Outcome | 'error', number> = { fail: 0, warn: 1, error: 2, pass: 3 };

/** The tool that produced a check result; each has its own ingest format (see `ingest/detect.ts`). */
export const CheckSource = { Soda: 'soda', Dbt: 'dbt', Gx: 'gx' } as const;
export type CheckSource = (typeof CheckSource)[keyof typeof CheckSource];
export const CHECK_SOURCES = ['soda', 'dbt', 'gx'] as const satisfies readonly CheckSource[];
export const CHECK_SOURCE_LABEL: Record<CheckSource, string> = { soda: 'Soda', dbt: 'dbt', gx: 'GX' };

/**
 * Who wrote a Yjs transaction. Persistence and the watcher use this to tell local edits from
 * replays: `indexeddb` = loaded from the browser store, `remote` = arrived over the wire,
 * `server` = written by the server itself (numbers, members, catalog version).
 */
export type Origin =
  | { readonly kind: 'local' }
  | { readonly kind: 'indexeddb' }
  | { readonly kind: 'remote'; readonly connId?: string }
  | { readonly kind: 'server' };
export const LOCAL: Origin = Object.freeze({ kind: 'local' });
export const SERVER: Origin = Object.freeze({ kind: 'server' });
export function isOrigin(v: unknown): v is Origin {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}
