import { z } from 'zod';
import { SEVERITY_LABEL, type Severity, type Status } from '@firebreak/shared';
import { changeSentence, checkLine, incidentTitle, personName } from '../describe.ts';
import { basicAuth, joinUrl, sendJson, truncate } from '../request.ts';
import {
  DeliveryError,
  type DeliveryResult,
  type IncidentView,
  type Notifier,
  type NotifierContext
} from '../types.ts';

/**
 * ServiceNow through the Table API (`incident` table, Basic auth). One record per incident with
 * `correlation_id` = the incident id, which a retry after a crash queries to adopt the record a
 * crashed try created. Changes are PATCHes: state for status changes, impact and urgency for
 * severity, a work note for every change; resolving sets state Resolved with the configured
 * resolution code and the notes. A retried PATCH may repeat its work note (the Table API has no
 * idempotency key and journal entries are not readable through it).
 */

/** Impact (and urgency) 1 = High, 2 = Medium, 3 = Low. */
export const SN_IMPACT: Record<Severity, string> = { critical: '1', major: '2', minor: '3' };
/** Incident states: 1 New, 2 In Progress, 6 Resolved. */
export const SN_STATE: Record<Status, string> = { reported: '1', investigating: '2', fixing: '2', resolved: '6' };
/** ServiceNow's short_description column holds 160 characters. */
const MAX_SHORT_DESCRIPTION = 160;
const MAX_DESCRIPTION_CHECKS = 25;

export const ServiceNowConfigSchema = z.object({
  /** The instance, e.g. https://acme.service-now.com */
  instanceUrl: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the instance' })
    .transform((u) => u.replace(/\/+$/, '')),
  user: z.string().trim().min(1, 'a user is required'),
  password: z.string().min(1, 'a password is required'),
  /** Resolution code set on resolve; instances since Utah may use e.g. "Solution provided". */
  closeCode: z.string().trim().min(1).default('Solved (Permanently)')
});
export type ServiceNowConfig = z.infer<typeof ServiceNowConfigSchema>;

interface RecordRef {
  sys_id: string;
  number: string;
}

function refOf(ref: Record<string, unknown> | null): RecordRef | null {
  return ref && typeof ref.sys_id === 'string' && typeof ref.number === 'string'
    ? { sys_id: ref.sys_id, number: ref.number }
    : null;
}

export function recordDescription(incident: IncidentView): string {
  const checks = incident.checkResults;
  const lines = [
    incident.description.trim(),
    '',
    `Severity: ${SEVERITY_LABEL[incident.severity]}`,
    `Lead: ${personName(incident.lead)}`,
    `Reported by: ${personName(incident.reporter)}`
  ];
  if (checks.length) {
    lines.push('', `Linked checks (${checks.length}):`);
    for (const r of checks.slice(0, MAX_DESCRIPTION_CHECKS)) lines.push(`- ${checkLine(r)}  ${r.url}`);
    if (checks.length > MAX_DESCRIPTION_CHECKS) lines.push(`- and ${checks.length - MAX_DESCRIPTION_CHECKS} more`);
  }
  lines.push('', `Firebreak: ${incident.url}`);
  return lines.join('\n').replace(/^\n+/, '');
}

class TableApi {
  constructor(private readonly ctx: NotifierContext<ServiceNowConfig>) {}

  private url(path: string, query: Record<string, string>): string {
    return `${joinUrl(this.ctx.config.instanceUrl, path)}?${new URLSearchParams(query)}`;
  }

  private async call<T>(what: string, method: string, url: string, body?: unknown): Promise<T> {
    const { user, password } = this.ctx.config;
    const answer = await sendJson<{ result?: T }>(this.ctx.fetch, `ServiceNow: ${what}`, url, {
      method,
      headers: {
        authorization: basicAuth(user, password),
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' })
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    return answer.result as T;
  }

  async findByCorrelation(incidentId: string): Promise<RecordRef | null> {
    const rows = await this.call<Array<RecordRef & { correlation_id?: string }>>(
      'find incident record',
      'GET',
      this.url('/api/now/table/incident', {
        sysparm_query: `correlation_id=${incidentId}^ORDERBYsys_created_on`,
        sysparm_limit: '1',
        sysparm_fields: 'sys_id,number,correlation_id'
      })
    );
    // An instance ignores a condition it cannot apply and returns any record: check it is ours.
    const row = (Array.isArray(rows) ? rows : []).find((r) => r.correlation_id === incidentId);
    return row ? { sys_id: row.sys_id, number: row.number } : null;
  }

  async create(incident: IncidentView): Promise<RecordRef> {
    const made = await this.call<RecordRef>(
      'create incident record',
      'POST',
      this.url('/api/now/table/incident', { sysparm_fields: 'sys_id,number' }),
      {
        short_description: truncate(incidentTitle(incident), MAX_SHORT_DESCRIPTION),
        description: recordDescription(incident),
        correlation_id: incident.id,
        correlation_display: 'Firebreak',
        impact: SN_IMPACT[incident.severity],
        urgency: SN_IMPACT[incident.severity]
      }
    );
    if (typeof made?.sys_id !== 'string' || typeof made.number !== 'string')
      throw new DeliveryError('ServiceNow: create incident record: the answer has no sys_id', { retriable: true });
    return { sys_id: made.sys_id, number: made.number };
  }

  async update(rec: RecordRef, fields: Record<string, string>): Promise<void> {
    await this.call(
      'update incident record',
      'PATCH',
      this.url(`/api/now/table/incident/${encodeURIComponent(rec.sys_id)}`, { sysparm_fields: 'sys_id' }),
      fields
    );
  }

  readable(): Promise<unknown> {
    return this.call(
      'read incident table',
      'GET',
      this.url('/api/now/table/incident', { sysparm_limit: '1', sysparm_fields: 'sys_id' })
    );
  }
}

export const serviceNowNotifier: Notifier<ServiceNowConfig> = {
  kind: 'servicenow',
  label: 'ServiceNow',
  configSchema: ServiceNowConfigSchema,
  secretFields: ['password'],

  fromEnv(env) {
    const {
      FIREBREAK_SERVICENOW_URL: instanceUrl,
      FIREBREAK_SERVICENOW_USER: user,
      FIREBREAK_SERVICENOW_PASSWORD: password
    } = env;
    if (!instanceUrl || !user || !password) return null;
    return ServiceNowConfigSchema.parse({ instanceUrl, user, password });
  },

  async deliver(event, ctx): Promise<DeliveryResult> {
    if (event.type !== 'incident') return {};
    const { change, incident } = event;
    const api = new TableApi(ctx);
    let rec = refOf(ctx.ref);
    if (!rec) {
      // Only a first try of `created` is sure no record exists yet.
      if (change.kind !== 'created' || ctx.attempt > 1) rec = await api.findByCorrelation(incident.id);
      rec ??= await api.create(incident);
      ctx.saveRef({ ...rec });
    }
    const note = `${changeSentence(change, incident)} in Firebreak: ${incident.url}`;
    switch (change.kind) {
      case 'created':
        break;
      case 'status':
      case 'reopened':
        await api.update(rec, { state: SN_STATE[change.to], work_notes: note });
        break;
      case 'resolved': {
        const notes = (change.notes || incident.resolutionNotes).trim();
        await api.update(rec, {
          state: SN_STATE.resolved,
          close_code: ctx.config.closeCode,
          // Resolution notes are mandatory on a resolved incident.
          close_notes: notes || `Resolved in Firebreak without notes: ${incident.url}`
        });
        break;
      }
      case 'severity':
        await api.update(rec, { impact: SN_IMPACT[change.to], urgency: SN_IMPACT[change.to], work_notes: note });
        break;
      case 'lead':
      case 'linked':
      case 'unlinked':
        await api.update(rec, { work_notes: note });
        break;
    }
    return {
      link: { name: rec.number, url: `${ctx.config.instanceUrl}/incident.do?sys_id=${encodeURIComponent(rec.sys_id)}` }
    };
  },

  async test(ctx) {
    await new TableApi(ctx).readable();
    return { message: `Connected to ServiceNow as ${ctx.config.user}; the incident table is readable` };
  }
};
