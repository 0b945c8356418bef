import { z } from 'zod';
import { SEVERITY_LABEL, STATUSES, type Status } from '@firebreak/shared';
import { changeSentence, incidentTitle, outcomeLabel, personName } from '../describe.ts';
import { basicAuth, joinUrl, send, sendJson, truncate } from '../request.ts';
import {
  DeliveryError,
  type DeliveryResult,
  type IncidentView,
  type Notifier,
  type NotifierContext
} from '../types.ts';
import { bulletList, doc, link, paragraph, paragraphs, strong, text, type AdfDoc } from './adf.ts';

/**
 * Jira Cloud (REST v3, email + API token). One issue per incident, labelled with the incident id
 * so a retry after a crash finds the issue the crashed try created instead of making a second.
 * Status changes move the issue by the transition whose target status has the mapped name (an
 * issue already in that status is left alone); resolving also comments the resolution notes;
 * severity, lead and linked-check changes are comments. Comments carry a `firebreak` property
 * with the outbox row's idempotency key, so a retried row does not comment twice.
 */

export const DEFAULT_JIRA_STATUS_MAP: Record<Status, string> = {
  reported: 'To Do',
  investigating: 'In Progress',
  fixing: 'In Progress',
  resolved: 'Done'
};

/** Jira's limit for a summary. */
const MAX_SUMMARY_CHARS = 255;
/** The linked checks listed in a description; the rest are a click away in Firebreak. */
const MAX_DESCRIPTION_CHECKS = 25;
/** Recent comments looked through for one a crashed try already made. */
const RECENT_COMMENTS = 50;
const COMMENT_PROPERTY = 'firebreak';

export const JiraConfigSchema = z.object({
  /** The site, e.g. https://acme.atlassian.net */
  siteUrl: z
    .url({ protocol: /^https?$/, error: 'must be the http(s) URL of the Jira site' })
    .transform((u) => u.replace(/\/+$/, '')),
  email: z.string().trim().min(1, 'the Atlassian account email is required'),
  apiToken: z.string().min(1, 'an API token is required'),
  projectKey: z
    .string()
    .trim()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a project key such as OPS')
    .transform((k) => k.toUpperCase()),
  issueType: z.string().trim().min(1).default('Task'),
  /** Firebreak status → Jira status name; statuses left out keep the defaults. */
  statusMap: z
    .partialRecord(z.enum(STATUSES), z.string().trim().min(1))
    .default({})
    .transform((m): Record<Status, string> => ({ ...DEFAULT_JIRA_STATUS_MAP, ...m }))
});
export type JiraConfig = z.infer<typeof JiraConfigSchema>;

interface IssueRef {
  key: string;
  id: string;
}

function refOf(ref: Record<string, unknown> | null): IssueRef | null {
  return ref && typeof ref.key === 'string' && typeof ref.id === 'string' ? { key: ref.key, id: ref.id } : null;
}

/** The label that ties a Jira issue to its incident (labels cannot hold spaces). */
export function incidentLabel(incidentId: string): string {
  return `firebreak-${incidentId.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`;
}

export function issueDescription(incident: IncidentView): AdfDoc {
  const checks = incident.checkResults;
  return doc(
    ...paragraphs(incident.description),
    paragraph(strong('Severity: '), text(SEVERITY_LABEL[incident.severity])),
    paragraph(
      strong('Lead: '),
      text(personName(incident.lead)),
      strong('  Reported by: '),
      text(personName(incident.reporter))
    ),
    ...(checks.length ? [paragraph(strong(`Linked checks (${checks.length})`))] : []),
    ...(checks.length
      ? [
          bulletList(
            checks
              .slice(0, MAX_DESCRIPTION_CHECKS)
              .map((r) => [
                link(r.name, r.url),
                text(` · ${outcomeLabel(r)} · ${r.dataset}${r.column ? ` (${r.column})` : ''}`)
              ])
          )
        ]
      : []),
    ...(checks.length > MAX_DESCRIPTION_CHECKS
      ? [paragraph(text(`and ${checks.length - MAX_DESCRIPTION_CHECKS} more`))]
      : []),
    paragraph(link(`Open ${incident.key} in Firebreak`, incident.url))
  );
}

interface JiraTransition {
  id: string;
  name: string;
  to?: { name?: string };
}

class JiraApi {
  constructor(private readonly ctx: NotifierContext<JiraConfig>) {}

  private get cfg() {
    return this.ctx.config;
  }

  private init(method: string, body?: unknown) {
    return {
      method,
      headers: {
        authorization: basicAuth(this.cfg.email, this.cfg.apiToken),
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' })
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    };
  }

  json<T>(what: string, method: string, path: string, body?: unknown): Promise<T> {
    return sendJson<T>(this.ctx.fetch, `Jira: ${what}`, joinUrl(this.cfg.siteUrl, path), this.init(method, body));
  }

  async call(what: string, method: string, path: string, body?: unknown): Promise<void> {
    await send(this.ctx.fetch, `Jira: ${what}`, joinUrl(this.cfg.siteUrl, path), this.init(method, body));
  }

  async findByLabel(label: string): Promise<IssueRef | null> {
    const found = await this.json<{ issues?: Array<{ id: string; key: string }> }>(
      'find issue by label',
      'POST',
      '/rest/api/3/search/jql',
      {
        jql: `labels = "${label}" ORDER BY created ASC`,
        fields: ['status'],
        maxResults: 1
      }
    );
    const first = found.issues?.[0];
    return first ? { key: first.key, id: String(first.id) } : null;
  }

  async create(incident: IncidentView): Promise<IssueRef> {
    const made = await this.json<{ id: string; key: string }>('create issue', 'POST', '/rest/api/3/issue', {
      fields: {
        project: { key: this.cfg.projectKey },
        issuetype: { name: this.cfg.issueType },
        summary: truncate(incidentTitle(incident).replace(/[\r\n]+/g, ' '), MAX_SUMMARY_CHARS),
        description: issueDescription(incident),
        labels: [incidentLabel(incident.id)]
      }
    });
    if (typeof made.key !== 'string' || made.id === undefined)
      throw new DeliveryError('Jira: create issue: the answer has no issue key', { retriable: true });
    return { key: made.key, id: String(made.id) };
  }

  /** Moves the issue to the status named `target`; nothing to do when it is there already. */
  async moveTo(issue: IssueRef, target: string): Promise<void> {
    const key = encodeURIComponent(issue.key);
    const current = await this.json<{ fields?: { status?: { name?: string } } }>(
      'read issue status',
      'GET',
      `/rest/api/3/issue/${key}?fields=status`
    );
    const now = current.fields?.status?.name ?? '';
    if (now.toLowerCase() === target.toLowerCase()) return;
    const { transitions = [] } = await this.json<{ transitions?: JiraTransition[] }>(
      'list transitions',
      'GET',
      `/rest/api/3/issue/${key}/transitions`
    );
    const t = transitions.find((x) => x.to?.name?.toLowerCase() === target.toLowerCase());
    if (!t) {
      const options = transitions.map((x) => `"${x.name}" → "${x.to?.name ?? '?'}"`).join(', ') || 'none';
      throw new DeliveryError(
        `Jira: ${issue.key} is in "${now}" and no transition leads to "${target}" (available: ${options}). Adjust the Jira status map or the workflow.`,
        { retriable: false }
      );
    }
    await this.call('transition issue', 'POST', `/rest/api/3/issue/${key}/transitions`, { transition: { id: t.id } });
  }

  /** Comments once per outbox row: a retry first looks for the comment its earlier try made. */
  async commentOnce(issue: IssueRef, body: AdfDoc): Promise<void> {
    const key = encodeURIComponent(issue.key);
    const idempotencyKey = this.ctx.idempotencyKey;
    if (this.ctx.attempt > 1) {
      const { comments = [] } = await this.json<{
        comments?: Array<{ properties?: Array<{ key: string; value?: { idempotencyKey?: unknown } }> }>;
      }>(
        'read comments',
        'GET',
        `/rest/api/3/issue/${key}/comment?orderBy=-created&maxResults=${RECENT_COMMENTS}&expand=properties`
      );
      if (
        comments.some((c) =>
          c.properties?.some((p) => p.key === COMMENT_PROPERTY && p.value?.idempotencyKey === idempotencyKey)
        )
      )
        return;
    }
    await this.call('comment', 'POST', `/rest/api/3/issue/${key}/comment`, {
      body,
      properties: [{ key: COMMENT_PROPERTY, value: { idempotencyKey } }]
    });
  }
}

function resolutionComment(incident: IncidentView, notes: string): AdfDoc {
  const reason = incident.resolutionReason ? ` (${incident.resolutionReason})` : '';
  return doc(
    paragraph(strong(`Resolved in Firebreak${reason}`)),
    ...(notes.trim() ? paragraphs(notes) : [paragraph(text('No resolution notes were given.'))]),
    paragraph(link(`Open ${incident.key} in Firebreak`, incident.url))
  );
}

function changeComment(sentence: string, incident: IncidentView): AdfDoc {
  return doc(paragraph(text(`${sentence} in Firebreak. `), link(`Open ${incident.key}`, incident.url)));
}

export const jiraNotifier: Notifier<JiraConfig> = {
  kind: 'jira',
  label: 'Jira Cloud',
  configSchema: JiraConfigSchema,
  secretFields: ['apiToken'],

  fromEnv(env) {
    const {
      FIREBREAK_JIRA_URL: siteUrl,
      FIREBREAK_JIRA_EMAIL: email,
      FIREBREAK_JIRA_API_TOKEN: apiToken,
      FIREBREAK_JIRA_PROJECT: projectKey
    } = env;
    if (!siteUrl || !email || !apiToken || !projectKey) return null;
    return JiraConfigSchema.parse({
      siteUrl,
      email,
      apiToken,
      projectKey,
      issueType: env.FIREBREAK_JIRA_ISSUE_TYPE || undefined
    });
  },

  async deliver(event, ctx): Promise<DeliveryResult> {
    if (event.type !== 'incident') return {};
    const { change, incident } = event;
    const api = new JiraApi(ctx);
    let issue = refOf(ctx.ref);
    if (!issue) {
      // A first try of `created` cannot have made an issue yet; anything else may have (a crashed
      // try, or the create row of an incident delivered out of order), so look before creating.
      if (change.kind !== 'created' || ctx.attempt > 1) issue = await api.findByLabel(incidentLabel(incident.id));
      issue ??= await api.create(incident);
      ctx.saveRef({ ...issue });
    }
    const statusName = ctx.config.statusMap;
    switch (change.kind) {
      case 'created':
        break;
      case 'status':
      case 'reopened':
        await api.moveTo(issue, statusName[change.to]);
        break;
      case 'resolved':
        await api.moveTo(issue, statusName.resolved);
        await api.commentOnce(issue, resolutionComment(incident, change.notes || incident.resolutionNotes));
        break;
      case 'severity':
      case 'lead':
      case 'linked':
      case 'unlinked':
        await api.commentOnce(issue, changeComment(changeSentence(change, incident), incident));
        break;
    }
    return { link: { name: issue.key, url: `${ctx.config.siteUrl}/browse/${issue.key}` } };
  },

  async test(ctx) {
    const api = new JiraApi(ctx);
    const me = await api.json<{ displayName?: string; emailAddress?: string }>(
      'read account',
      'GET',
      '/rest/api/3/myself'
    );
    const project = await api.json<{ key: string; name?: string }>(
      'read project',
      'GET',
      `/rest/api/3/project/${encodeURIComponent(ctx.config.projectKey)}`
    );
    return {
      message: `Connected to Jira as ${me.displayName ?? me.emailAddress ?? ctx.config.email}; project ${project.key} (${project.name ?? ''}) is reachable`
    };
  }
};
