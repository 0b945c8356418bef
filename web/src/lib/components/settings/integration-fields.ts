import type { Integration } from '@firebreak/shared';

/** What the server sends back for a stored secret: sending it back unchanged keeps the secret. */
export const SECRET_MASK = '••••••••';

export type FieldType = 'text' | 'url' | 'email' | 'secret' | 'checkbox' | 'headers';

export interface FieldSpec {
  key: string;
  label: string;
  type: FieldType;
  required?: boolean;
  placeholder?: string;
  hint?: string;
}

/** The settings form of each kind, mirroring the server's zod schemas (sync-server/src/integrations). */
export const KIND_FIELDS: Record<Integration, FieldSpec[]> = {
  slack: [
    { key: 'botToken', label: 'Bot token', type: 'secret', required: true, placeholder: 'xoxb-…' },
    {
      key: 'signingSecret',
      label: 'Signing secret',
      type: 'secret',
      hint: 'Lets the card buttons and /firebreak change incidents; leave empty to turn that off.'
    },
    { key: 'apiUrl', label: 'API URL', type: 'url', placeholder: 'https://slack.com/api' },
    { key: 'private', label: 'Create private channels', type: 'checkbox' },
    {
      key: 'alertsChannel',
      label: 'Alerts channel',
      type: 'text',
      placeholder: '#data-alerts',
      hint: 'Gets every new warn or fail check result (optional).'
    }
  ],
  teams: [
    {
      key: 'webhookUrl',
      label: 'Workflows webhook URL',
      type: 'secret',
      required: true,
      hint: 'The URL of a “When a Teams webhook request is received” workflow.'
    },
    { key: 'channelUrl', label: 'Channel link', type: 'url', hint: 'Shown in each incident’s Integrations tile.' }
  ],
  jira: [
    { key: 'siteUrl', label: 'Site URL', type: 'url', required: true, placeholder: 'https://acme.atlassian.net' },
    { key: 'email', label: 'Account email', type: 'email', required: true },
    { key: 'apiToken', label: 'API token', type: 'secret', required: true },
    { key: 'projectKey', label: 'Project key', type: 'text', required: true, placeholder: 'OPS' },
    { key: 'issueType', label: 'Issue type', type: 'text', placeholder: 'Task' }
  ],
  servicenow: [
    {
      key: 'instanceUrl',
      label: 'Instance URL',
      type: 'url',
      required: true,
      placeholder: 'https://acme.service-now.com'
    },
    { key: 'user', label: 'User', type: 'text', required: true },
    { key: 'password', label: 'Password', type: 'secret', required: true },
    { key: 'closeCode', label: 'Close code', type: 'text', placeholder: 'Solved (Permanently)' }
  ],
  webhook: [
    { key: 'url', label: 'URL', type: 'url', required: true, placeholder: 'https://hooks.example.com/firebreak' },
    {
      key: 'secret',
      label: 'Signing secret',
      type: 'secret',
      hint: 'Signs each body (X-Firebreak-Signature-256); optional.'
    },
    {
      key: 'headers',
      label: 'Extra headers',
      type: 'headers',
      placeholder: 'Authorization: Bearer …',
      hint: 'One “Name: value” per line; kept secret like the signing secret.'
    }
  ]
};

export type FormValues = Record<string, string | boolean>;

/** The form's starting values: a stored configuration (secrets masked) or an empty one. */
export function formValues(kind: Integration, config: Record<string, unknown> | null): FormValues {
  const out: FormValues = {};
  for (const f of KIND_FIELDS[kind]) {
    const v = config?.[f.key];
    if (f.type === 'checkbox') out[f.key] = v === true;
    else if (f.type === 'headers')
      out[f.key] =
        typeof v === 'string'
          ? v
          : v && typeof v === 'object'
            ? Object.entries(v as Record<string, string>)
                .map(([k, val]) => `${k}: ${val}`)
                .join('\n')
            : '';
    else out[f.key] = typeof v === 'string' ? v : '';
  }
  return out;
}

/**
 * The configuration to send: empty optional fields left out (the server's defaults apply), a
 * secret left as the mask sent back as the mask (the server keeps it), headers parsed from lines.
 */
export function configFrom(kind: Integration, values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of KIND_FIELDS[kind]) {
    const v = values[f.key];
    if (f.type === 'checkbox') {
      out[f.key] = v === true;
      continue;
    }
    const s = typeof v === 'string' ? v.trim() : '';
    if (f.type === 'headers') {
      if (s === SECRET_MASK) out[f.key] = SECRET_MASK;
      else out[f.key] = parseHeaders(s);
      continue;
    }
    if (s === '' && !f.required) continue;
    out[f.key] = s;
  }
  return out;
}

/** `Name: value` lines as a record; lines without a colon keep their text as a name the server refuses. */
export function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const i = t.indexOf(':');
    if (i < 0) out[t] = '';
    else out[t.slice(0, i).trim()] = t.slice(i + 1).trim();
  }
  return out;
}

/** The server's issues (`config.siteUrl`, `name`…) by form field key; anything else under `''`. */
export function issuesByField(
  kind: Integration,
  issues: ReadonlyArray<{ path: string; message: string }>
): Record<string, string> {
  const keys = new Set(KIND_FIELDS[kind].map((f) => f.key));
  const out: Record<string, string> = {};
  for (const i of issues) {
    const [head, field] = i.path.split('.');
    const key = head === 'config' && field && keys.has(field) ? field : head === 'name' ? 'name' : '';
    out[key] = out[key] ? `${out[key]}; ${i.message}` : i.message;
  }
  return out;
}
