import type { Outcome, Severity, Status } from '@firebreak/shared';
import type { CheckResultView, IncidentView, IntegrationKind, Person } from '../types.ts';

/**
 * The bodies Firebreak posts, in Soda Cloud's webhook shape (spec/soda.md §2), so receivers
 * written for Soda (Jira Automation rules, ServiceNow scripted REST resources) work unchanged.
 * Field names are Soda's, `sodaCloudUrl` included: it holds the Firebreak page.
 */

export type WebhookEventName = 'validate' | 'incidentCreated' | 'incidentUpdated' | 'checkEvaluation';

export interface SodaPerson {
  id: string;
  email: string;
}

export interface SodaCheckResult {
  id: string;
  sodaCloudUrl: string;
  definition: string | null;
  name: string;
  datasets: Array<{ id: string; name: string; datasource: { id: string; name: string } }>;
  column: string | null;
  outcome: Outcome | null;
  dataTimestamp: string;
  diagnostics: Record<string, unknown> | null;
}

export interface SodaIncident {
  id: string;
  sodaCloudUrl: string;
  number: number | null;
  title: string;
  description: string;
  severity: Severity;
  status: Status;
  createdTimestamp: string;
  lastUpdatedTimestamp: string;
  resolutionNotes: string | null;
  resolutionTimestamp: string | null;
  links: Array<{ integrationType: IntegrationKind; name: string; url: string | null }>;
  lead: SodaPerson | null;
  reporter: SodaPerson | null;
  checkResults: SodaCheckResult[];
}

export type ValidateBody = { event: 'validate'; sentAt: string };
export type IncidentBody = {
  event: 'incidentCreated' | 'incidentUpdated';
  incident: SodaIncident;
  incidentLinkCallbackUrl: string | null;
};
export type CheckEvaluationBody = { event: 'checkEvaluation'; checkResults: SodaCheckResult[] };
export type WebhookBody = ValidateBody | IncidentBody | CheckEvaluationBody;

const person = (p: Person | null): SodaPerson | null => (p ? { id: p.id, email: p.email } : null);

export function sodaCheckResult(r: CheckResultView): SodaCheckResult {
  return {
    id: r.id,
    sodaCloudUrl: r.url,
    definition: r.definition,
    name: r.name,
    datasets: [{ id: r.dataset, name: r.table ?? r.dataset, datasource: { id: r.dataSource, name: r.dataSource } }],
    column: r.column,
    outcome: r.outcome,
    dataTimestamp: r.dataTimestamp,
    diagnostics: r.diagnostics
  };
}

export function sodaIncident(i: IncidentView): SodaIncident {
  return {
    id: i.id,
    sodaCloudUrl: i.url,
    number: i.number,
    title: i.title,
    description: i.description,
    severity: i.severity,
    status: i.status,
    createdTimestamp: i.createdAt,
    lastUpdatedTimestamp: i.updatedAt,
    resolutionNotes: i.resolutionNotes || null,
    resolutionTimestamp: i.resolvedAt,
    links: i.links.map((l) => ({ integrationType: l.integration, name: l.name, url: l.url })),
    lead: person(i.lead),
    reporter: person(i.reporter),
    checkResults: i.checkResults.map(sodaCheckResult)
  };
}

export function validateBody(sentAt: Date): ValidateBody {
  return { event: 'validate', sentAt: sentAt.toISOString() };
}

export function incidentBody(
  event: 'incidentCreated' | 'incidentUpdated',
  incident: IncidentView,
  incidentLinkCallbackUrl: string | null
): IncidentBody {
  return { event, incident: sodaIncident(incident), incidentLinkCallbackUrl };
}

/** Only warn and fail results are evaluations worth a call; null when none is left. */
export function checkEvaluationBody(results: CheckResultView[]): CheckEvaluationBody | null {
  const bad = results.filter((r) => r.outcome === 'warn' || r.outcome === 'fail');
  return bad.length ? { event: 'checkEvaluation', checkResults: bad.map(sodaCheckResult) } : null;
}
