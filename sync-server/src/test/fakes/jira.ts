import {
  basicCredentials,
  FakeHttpServer,
  isJsonContentType,
  type FakeReply,
  type FakeRequest,
  type FakeServerOptions
} from './fake-http.ts';

/**
 * Jira Cloud REST v3 as the Jira notifier uses it: create issue, get issue, transitions,
 * comments (with properties), JQL search, myself and project. Checks Basic auth, content types,
 * required fields, Atlassian Document Format bodies and workflow rules, and answers with Jira's
 * `{errorMessages, errors}` shapes.
 */

export interface JiraStatusDef {
  id: string;
  name: string;
  category: 'new' | 'indeterminate' | 'done';
}

export interface JiraTransitionDef {
  id: string;
  name: string;
  /** Status names it leaves from; empty = from any status (a global transition). */
  from: string[];
  to: string;
}

export interface JiraWorkflow {
  initial: string;
  statuses: JiraStatusDef[];
  transitions: JiraTransitionDef[];
}

/** Jira's default software workflow: To Do → In Progress → Done, and back. */
export const DEFAULT_JIRA_WORKFLOW: JiraWorkflow = {
  initial: 'To Do',
  statuses: [
    { id: '10000', name: 'To Do', category: 'new' },
    { id: '3', name: 'In Progress', category: 'indeterminate' },
    { id: '10001', name: 'Done', category: 'done' }
  ],
  transitions: [
    { id: '11', name: 'Start Progress', from: ['To Do'], to: 'In Progress' },
    { id: '21', name: 'Done', from: ['To Do', 'In Progress'], to: 'Done' },
    { id: '31', name: 'Stop Progress', from: ['In Progress'], to: 'To Do' },
    { id: '41', name: 'Reopen', from: ['Done'], to: 'To Do' },
    { id: '51', name: 'Back to In Progress', from: ['Done'], to: 'In Progress' }
  ]
};

export interface FakeJiraComment {
  id: string;
  body: unknown;
  /** The ADF body flattened to text, for assertions. */
  text: string;
  properties: Array<{ key: string; value: unknown }>;
  created: string;
}

export interface FakeJiraIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: string;
  summary: string;
  description: unknown;
  labels: string[];
  status: string;
  comments: FakeJiraComment[];
  /** Every transition made, in order. */
  history: Array<{ from: string; to: string; transitionId: string }>;
  created: string;
}

export interface FakeJiraOptions extends FakeServerOptions {
  email?: string;
  apiToken?: string;
  projects?: Array<{ key: string; name?: string; issueTypes?: string[] }>;
  workflow?: JiraWorkflow;
}

type Errors = Record<string, string>;
const jiraError = (status: number, errorMessages: string[], errors: Errors = {}): FakeReply => ({
  status,
  body: { errorMessages, errors }
});

const ADF_BLOCKS = new Set([
  'paragraph',
  'heading',
  'bulletList',
  'orderedList',
  'listItem',
  'codeBlock',
  'blockquote',
  'rule',
  'panel',
  'table',
  'tableRow',
  'tableHeader',
  'tableCell'
]);
const ADF_INLINE = new Set(['text', 'hardBreak', 'mention', 'emoji', 'inlineCard', 'date', 'status']);
const ADF_MARKS = new Set(['strong', 'em', 'code', 'link', 'strike', 'underline', 'subsup', 'textColor']);

/** Why `node` is not valid ADF content, or null (the checks Jira's ADF validator makes that matter here). */
function adfProblem(node: unknown, path: string): string | null {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return `${path} is not a node`;
  const n = node as { type?: unknown; text?: unknown; content?: unknown; marks?: unknown; attrs?: unknown };
  if (typeof n.type !== 'string') return `${path}.type is missing`;
  if (n.type === 'text') {
    if (typeof n.text !== 'string' || n.text.length === 0) return `${path}: text nodes need non-empty text`;
    if (n.marks !== undefined) {
      if (!Array.isArray(n.marks)) return `${path}.marks is not an array`;
      for (const m of n.marks as Array<{ type?: unknown; attrs?: { href?: unknown } }>) {
        if (typeof m?.type !== 'string' || !ADF_MARKS.has(m.type)) return `${path}: unknown mark ${String(m?.type)}`;
        if (m.type === 'link' && typeof m.attrs?.href !== 'string') return `${path}: link marks need attrs.href`;
      }
    }
    return null;
  }
  if (!ADF_BLOCKS.has(n.type) && !ADF_INLINE.has(n.type)) return `${path}: unknown node type ${n.type}`;
  if (n.content !== undefined) {
    if (!Array.isArray(n.content)) return `${path}.content is not an array`;
    for (const [i, child] of (n.content as unknown[]).entries()) {
      const p = adfProblem(child, `${path}.content[${i}]`);
      if (p) return p;
    }
  }
  return null;
}

/** Null when `doc` is an ADF document `{type: 'doc', version: 1, content: [...]}`, else the problem. */
export function adfDocProblem(doc: unknown): string | null {
  if (typeof doc !== 'object' || doc === null) return 'not an object';
  const d = doc as { type?: unknown; version?: unknown; content?: unknown };
  if (d.type !== 'doc' || d.version !== 1 || !Array.isArray(d.content))
    return 'not {type: "doc", version: 1, content: [...]}';
  for (const [i, child] of (d.content as unknown[]).entries()) {
    const p = adfProblem(child, `content[${i}]`);
    if (p) return p;
    const type = (child as { type: string }).type;
    if (!ADF_BLOCKS.has(type)) return `content[${i}]: ${type} is not a block node`;
  }
  return null;
}

/** The text of an ADF document: blocks on their own lines, link targets in angle brackets. */
export function adfToText(node: unknown): string {
  if (typeof node !== 'object' || node === null) return '';
  const n = node as {
    type?: string;
    text?: string;
    content?: unknown[];
    marks?: Array<{ type: string; attrs?: { href?: string } }>;
  };
  if (n.type === 'text') {
    const href = n.marks?.find((m) => m.type === 'link')?.attrs?.href;
    return href && href !== n.text ? `${n.text} <${href}>` : (n.text ?? '');
  }
  if (n.type === 'hardBreak') return '\n';
  const inner = (n.content ?? []).map(adfToText);
  if (n.type === 'doc' || n.type === 'bulletList' || n.type === 'orderedList') return inner.join('\n');
  if (n.type === 'listItem') return `- ${inner.join(' ')}`;
  return inner.join('');
}

const KNOWN_FIELDS = new Set([
  'summary',
  'description',
  'project',
  'issuetype',
  'labels',
  'priority',
  'duedate',
  'components'
]);
const MAX_SUMMARY = 255;
const MAX_LABEL = 255;

export class FakeJira extends FakeHttpServer {
  readonly issues: FakeJiraIssue[] = [];
  readonly email: string;
  readonly apiToken: string;
  readonly workflow: JiraWorkflow;
  readonly projects: Array<{ key: string; name: string; id: string; issueTypes: string[]; next: number }>;
  private nextIssueId = 10000;
  private nextCommentId = 10000;

  constructor(opts: FakeJiraOptions = {}) {
    super();
    this.email = opts.email ?? 'firebreak@example.com';
    this.apiToken = opts.apiToken ?? 'jira-api-token';
    this.workflow = opts.workflow ?? DEFAULT_JIRA_WORKFLOW;
    this.projects = (opts.projects ?? [{ key: 'OPS' }]).map((p, i) => ({
      key: p.key,
      name: p.name ?? `${p.key} project`,
      id: String(10000 + i),
      issueTypes: p.issueTypes ?? ['Task', 'Bug', 'Story'],
      next: 1
    }));
  }

  issue(keyOrId: string): FakeJiraIssue | undefined {
    const k = keyOrId.toUpperCase();
    return this.issues.find((i) => i.key === k || i.id === keyOrId);
  }

  issuesWithLabel(label: string): FakeJiraIssue[] {
    return this.issues.filter((i) => i.labels.includes(label));
  }

  /** Issues grouped by label: Jira has no idempotency key, so the notifier's label is the one. */
  issuesByLabel(): Map<string, FakeJiraIssue[]> {
    const out = new Map<string, FakeJiraIssue[]>();
    for (const i of this.issues) for (const l of i.labels) out.set(l, [...(out.get(l) ?? []), i]);
    return out;
  }

  /** Moves an issue as a person in Jira would (no transition check). */
  setStatus(key: string, status: string): void {
    const issue = this.issue(key);
    if (!issue) throw new Error(`no issue ${key}`);
    issue.status = status;
  }

  private statusDef(name: string): JiraStatusDef {
    return this.workflow.statuses.find((s) => s.name === name) ?? { id: '0', name, category: 'indeterminate' };
  }

  private statusJson(name: string) {
    const s = this.statusDef(name);
    const cat = {
      new: [2, 'To Do', 'blue-gray'],
      indeterminate: [4, 'In Progress', 'yellow'],
      done: [3, 'Done', 'green']
    }[s.category];
    return {
      self: `${this.url}/rest/api/3/status/${s.id}`,
      description: '',
      iconUrl: `${this.url}/images/icons/statuses/generic.png`,
      name: s.name,
      id: s.id,
      statusCategory: {
        self: `${this.url}/rest/api/3/statuscategory/${cat[0]}`,
        id: cat[0],
        key: s.category,
        colorName: cat[2],
        name: cat[1]
      }
    };
  }

  private available(issue: FakeJiraIssue): JiraTransitionDef[] {
    return this.workflow.transitions.filter((t) => t.from.length === 0 || t.from.includes(issue.status));
  }

  private issueJson(issue: FakeJiraIssue, fields?: string[]) {
    const all: Record<string, unknown> = {
      summary: issue.summary,
      description: issue.description,
      labels: issue.labels,
      status: this.statusJson(issue.status),
      issuetype: { name: issue.issueType },
      project: { key: issue.projectKey },
      created: issue.created
    };
    const picked =
      fields && !fields.includes('*all') && !fields.includes('*navigable')
        ? Object.fromEntries(fields.filter((f) => f in all).map((f) => [f, all[f]]))
        : all;
    return { id: issue.id, key: issue.key, self: `${this.url}/rest/api/3/issue/${issue.id}`, fields: picked };
  }

  protected override handle(req: FakeRequest): FakeReply {
    const creds = basicCredentials(req.headers.authorization);
    if (!creds || creds.user !== this.email || creds.password !== this.apiToken)
      return {
        status: 401,
        headers: { 'www-authenticate': 'Basic realm="protected-area"' },
        text: 'Client must be authenticated to access this resource.'
      };
    if ((req.method === 'POST' || req.method === 'PUT') && !isJsonContentType(req))
      return { status: 415, text: 'Unsupported Media Type' };
    if ((req.method === 'POST' || req.method === 'PUT') && req.json === undefined)
      return jiraError(400, ['Unexpected character: the body is not valid JSON']);

    const p = req.path;
    let m: RegExpExecArray | null;
    if (p === '/rest/api/3/myself' && req.method === 'GET')
      return {
        status: 200,
        body: {
          accountId: '5b10ac8d82e05b22cc7d4ef5',
          emailAddress: this.email,
          displayName: 'Firebreak bot',
          active: true
        }
      };
    if ((m = /^\/rest\/api\/3\/project\/([^/]+)$/.exec(p)) && req.method === 'GET') {
      const proj = this.projects.find((x) => x.key === decodeURIComponent(m![1]!).toUpperCase() || x.id === m![1]);
      if (!proj) return jiraError(404, [`No project could be found with key '${decodeURIComponent(m[1]!)}'.`]);
      return {
        status: 200,
        body: { id: proj.id, key: proj.key, name: proj.name, issueTypes: proj.issueTypes.map((name) => ({ name })) }
      };
    }
    if (p === '/rest/api/3/issue' && req.method === 'POST') return this.create(req);
    if (p === '/rest/api/3/search' || p === '/rest/api/2/search')
      return jiraError(410, ['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.']);
    if (p === '/rest/api/3/search/jql' && (req.method === 'POST' || req.method === 'GET')) return this.search(req);
    if ((m = /^\/rest\/api\/3\/issue\/([^/]+)(\/transitions|\/comment)?$/.exec(p))) {
      const issue = this.issue(decodeURIComponent(m[1]!));
      if (!issue) return jiraError(404, ['Issue does not exist or you do not have permission to see it.']);
      const sub = m[2];
      if (!sub && req.method === 'GET')
        return { status: 200, body: this.issueJson(issue, req.query.get('fields')?.split(',')) };
      if (sub === '/transitions' && req.method === 'GET') return this.listTransitions(issue);
      if (sub === '/transitions' && req.method === 'POST') return this.transition(issue, req);
      if (sub === '/comment' && req.method === 'POST') return this.comment(issue, req);
      if (sub === '/comment' && req.method === 'GET') return this.listComments(issue, req);
      return { status: 405, text: 'Method Not Allowed' };
    }
    return jiraError(404, [`No resource ${req.method} ${p}`]);
  }

  private create(req: FakeRequest): FakeReply {
    const body = req.json as { fields?: Record<string, unknown> };
    if (typeof body !== 'object' || body === null || typeof body.fields !== 'object' || body.fields === null)
      return jiraError(400, ['Request body must contain "fields"']);
    const f = body.fields;
    const errors: Errors = {};
    for (const k of Object.keys(f))
      if (!KNOWN_FIELDS.has(k))
        errors[k] = `Field '${k}' cannot be set. It is not on the appropriate screen, or unknown.`;
    const projectRef = f.project as { key?: unknown; id?: unknown } | undefined;
    const project = this.projects.find((x) => x.key === projectRef?.key || x.id === projectRef?.id);
    if (!project) errors.project = 'Specify a valid project ID or key';
    const typeRef = f.issuetype as { name?: unknown; id?: unknown } | undefined;
    if (!typeRef || (typeRef.name === undefined && typeRef.id === undefined))
      errors.issuetype = 'Specify an issue type';
    else if (project && !project.issueTypes.includes(String(typeRef.name)))
      errors.issuetype = 'The issue type selected is invalid.';
    if (typeof f.summary !== 'string' || f.summary.trim() === '')
      errors.summary = 'You must specify a summary of the issue.';
    else if (f.summary.length > MAX_SUMMARY) errors.summary = `Summary must be less than ${MAX_SUMMARY} characters.`;
    else if (/[\r\n]/.test(f.summary))
      errors.summary = 'The summary is invalid because it contains newline characters.';
    if (f.description !== undefined && f.description !== null) {
      if (typeof f.description === 'string')
        errors.description = 'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
      else if (adfDocProblem(f.description)) errors.description = 'INVALID_INPUT';
    }
    const labels = f.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string'))
      errors.labels = 'Labels must be a list of strings';
    else {
      const bad = (labels as string[]).find((l) => /\s/.test(l) || l.length > MAX_LABEL || l === '');
      if (bad !== undefined) errors.labels = `The label '${bad}' contains spaces which is invalid.`;
    }
    if (Object.keys(errors).length > 0) return jiraError(400, [], errors);

    const issue: FakeJiraIssue = {
      id: String(this.nextIssueId++),
      key: `${project!.key}-${project!.next++}`,
      projectKey: project!.key,
      issueType: String(typeRef!.name),
      summary: f.summary as string,
      description: f.description ?? null,
      labels: [...(labels as string[])],
      status: this.workflow.initial,
      comments: [],
      history: [],
      created: new Date().toISOString()
    };
    this.issues.push(issue);
    return { status: 201, body: { id: issue.id, key: issue.key, self: `${this.url}/rest/api/3/issue/${issue.id}` } };
  }

  private listTransitions(issue: FakeJiraIssue): FakeReply {
    return {
      status: 200,
      body: {
        expand: 'transitions',
        transitions: this.available(issue).map((t) => ({
          id: t.id,
          name: t.name,
          to: this.statusJson(t.to),
          hasScreen: false,
          isGlobal: t.from.length === 0,
          isInitial: false,
          isAvailable: true,
          isConditional: false,
          isLooped: false
        }))
      }
    };
  }

  private transition(issue: FakeJiraIssue, req: FakeRequest): FakeReply {
    const id = (req.json as { transition?: { id?: unknown } }).transition?.id;
    if (id === undefined) return jiraError(400, ["Missing 'transition' identifier"]);
    const t = this.available(issue).find((x) => x.id === String(id));
    if (!t) return jiraError(400, [`Transition id '${String(id)}' is not valid for this issue.`]);
    issue.history.push({ from: issue.status, to: t.to, transitionId: t.id });
    issue.status = t.to;
    return { status: 204 };
  }

  private comment(issue: FakeJiraIssue, req: FakeRequest): FakeReply {
    const b = req.json as { body?: unknown; properties?: unknown };
    if (b.body === undefined) return jiraError(400, [], { comment: 'Comment body can not be empty!' });
    if (typeof b.body === 'string')
      return jiraError(400, [], {
        comment: 'Operation value must be an Atlassian Document (see the Atlassian Document Format)'
      });
    if (adfDocProblem(b.body)) return jiraError(400, ['INVALID_INPUT']);
    const props = Array.isArray(b.properties) ? (b.properties as Array<{ key: string; value: unknown }>) : [];
    const c: FakeJiraComment = {
      id: String(this.nextCommentId++),
      body: b.body,
      text: adfToText(b.body),
      properties: props,
      created: new Date().toISOString()
    };
    issue.comments.push(c);
    return {
      status: 201,
      body: {
        id: c.id,
        self: `${this.url}/rest/api/3/issue/${issue.id}/comment/${c.id}`,
        body: c.body,
        created: c.created,
        updated: c.created
      }
    };
  }

  private listComments(issue: FakeJiraIssue, req: FakeRequest): FakeReply {
    const withProps = (req.query.get('expand') ?? '').split(',').includes('properties');
    return {
      status: 200,
      body: {
        startAt: 0,
        maxResults: 5000,
        total: issue.comments.length,
        comments: issue.comments.map((c) => ({
          id: c.id,
          body: c.body,
          created: c.created,
          ...(withProps ? { properties: c.properties } : {})
        }))
      }
    };
  }

  private search(req: FakeRequest): FakeReply {
    const body = (req.method === 'POST' ? req.json : {}) as { jql?: unknown; fields?: unknown; maxResults?: unknown };
    const jql = String(req.method === 'POST' ? (body.jql ?? '') : (req.query.get('jql') ?? ''));
    const fields =
      req.method === 'POST'
        ? Array.isArray(body.fields)
          ? (body.fields as string[])
          : []
        : (req.query.get('fields')?.split(',') ?? []);
    const max = Number(req.method === 'POST' ? (body.maxResults ?? 50) : (req.query.get('maxResults') ?? 50));
    if (jql.trim() === '')
      return jiraError(400, [
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.'
      ]);
    const parsed = parseJql(jql);
    if (typeof parsed === 'string') return jiraError(400, [`Error in the JQL Query: ${parsed}`]);
    let found = this.issues.filter((i) => parsed.clauses.every((c) => c(i)));
    if (parsed.order === 'desc') found = [...found].reverse();
    const issues = found.slice(0, max).map((i) => {
      const j = this.issueJson(i, fields.length ? fields : ['id']);
      return fields.length ? j : { id: j.id };
    });
    return { status: 200, body: { issues, isLast: found.length <= max } };
  }
}

type Clause = (i: FakeJiraIssue) => boolean;

/** The JQL this fake understands: `field = value`, `field in (a, b)` joined by AND, then ORDER BY created. */
function parseJql(jql: string): { clauses: Clause[]; order: 'asc' | 'desc' } | string {
  const [where, orderBy] = jql.split(/\s+ORDER\s+BY\s+/i) as [string, string | undefined];
  let order: 'asc' | 'desc' = 'asc';
  if (orderBy !== undefined) {
    const o = /^created(\s+(asc|desc))?\s*$/i.exec(orderBy.trim());
    if (!o) return `this fake only orders by created (got "${orderBy}")`;
    order = (o[2]?.toLowerCase() as 'asc' | 'desc' | undefined) ?? 'asc';
  }
  const unquote = (v: string) =>
    v
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .replace(/\\"/g, '"');
  const field = (name: string, i: FakeJiraIssue): string[] | null => {
    switch (name.toLowerCase()) {
      case 'labels':
        return i.labels;
      case 'project':
        return [i.projectKey];
      case 'key':
      case 'issuekey':
        return [i.key];
      case 'status':
        return [i.status.toLowerCase()];
      default:
        return null;
    }
  };
  const clauses: Clause[] = [];
  for (const part of where.split(/\s+AND\s+/i)) {
    const m = /^\s*(\w+)\s*(=|in)\s*(.+?)\s*$/i.exec(part);
    if (!m) return `cannot read "${part.trim()}"`;
    const name = m[1]!;
    if (!['labels', 'project', 'key', 'issuekey', 'status'].includes(name.toLowerCase()))
      return `Field '${name}' does not exist or you do not have permission to view it.`;
    const values =
      m[2]!.toLowerCase() === 'in'
        ? m[3]!
            .replace(/^\(|\)$/g, '')
            .split(',')
            .map(unquote)
        : [unquote(m[3]!)];
    const wanted = name.toLowerCase() === 'status' ? values.map((v) => v.toLowerCase()) : values;
    clauses.push((i) => field(name, i)!.some((v) => wanted.includes(v)));
  }
  return { clauses, order };
}

export async function startFakeJira(opts: FakeJiraOptions = {}): Promise<FakeJira> {
  return new FakeJira(opts).start(opts);
}
