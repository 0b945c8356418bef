import { randomBytes } from 'node:crypto';
import {
  basicCredentials,
  FakeHttpServer,
  isJsonContentType,
  type FakeReply,
  type FakeRequest,
  type FakeServerOptions
} from './fake-http.ts';

/**
 * The ServiceNow Table API for the `incident` table, as the ServiceNow notifier uses it. Like the
 * real one it answers `{result: ...}` with every value as a string, ignores fields the table does
 * not have, answers errors as `{error: {message, detail}, status: 'failure'}`, enforces the
 * resolution data policy (Resolved needs a resolution code and notes), keeps journal fields
 * (work notes) as entries, and ignores query conditions on unknown fields (so a misspelt
 * sysparm_query returns every record, as an instance with default settings does).
 */

export const SN_STATE = { New: '1', InProgress: '2', OnHold: '3', Resolved: '6', Closed: '7', Canceled: '8' } as const;

/** Columns of the incident table this fake keeps; anything else in a body is ignored. */
const FIELDS = [
  'short_description',
  'description',
  'correlation_id',
  'correlation_display',
  'impact',
  'urgency',
  'state',
  'close_code',
  'close_notes',
  'category',
  'subcategory',
  'caller_id',
  'assignment_group',
  'assigned_to',
  'contact_type'
] as const;
const JOURNAL_FIELDS = ['work_notes', 'comments'] as const;
type Field = (typeof FIELDS)[number];

export interface FakeSnRecord {
  sys_id: string;
  number: string;
  fields: Record<Field, string>;
  priority: string;
  reopen_count: number;
  work_notes: string[];
  comments: string[];
  sys_created_on: string;
  sys_updated_on: string;
  /** Every state the record went through, in order. */
  stateHistory: string[];
}

export interface FakeServiceNowOptions extends FakeServerOptions {
  user?: string;
  password?: string;
}

const snError = (status: number, message: string, detail: string | null = null): FakeReply => ({
  status,
  body: { error: { message, detail }, status: 'failure' }
});

/** ServiceNow's default priority lookup from impact × urgency (1 = highest). */
function priority(impact: string, urgency: string): string {
  const i = Number(impact) || 3;
  const u = Number(urgency) || 3;
  return String(Math.min(5, i + u - 1));
}

function snTime(d = new Date()): string {
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

export class FakeServiceNow extends FakeHttpServer {
  readonly records: FakeSnRecord[] = [];
  readonly user: string;
  readonly password: string;
  private nextNumber = 10001;

  constructor(opts: FakeServiceNowOptions = {}) {
    super();
    this.user = opts.user ?? 'firebreak.integration';
    this.password = opts.password ?? 'sn-password';
  }

  record(sysIdOrNumber: string): FakeSnRecord | undefined {
    return this.records.find((r) => r.sys_id === sysIdOrNumber || r.number === sysIdOrNumber);
  }

  /** Records grouped by correlation_id: the Table API has no idempotency key, so that is the one. */
  recordsByCorrelationId(): Map<string, FakeSnRecord[]> {
    const out = new Map<string, FakeSnRecord[]>();
    for (const r of this.records) {
      const k = r.fields.correlation_id;
      out.set(k, [...(out.get(k) ?? []), r]);
    }
    return out;
  }

  recordsWithCorrelationId(id: string): FakeSnRecord[] {
    return this.records.filter((r) => r.fields.correlation_id === id);
  }

  private json(r: FakeSnRecord, only?: string[]): Record<string, string> {
    const all: Record<string, string> = {
      sys_id: r.sys_id,
      number: r.number,
      ...r.fields,
      priority: r.priority,
      reopen_count: String(r.reopen_count),
      // Journal fields read back empty through the Table API; entries live in sys_journal_field.
      work_notes: '',
      comments: '',
      sys_created_on: r.sys_created_on,
      sys_updated_on: r.sys_updated_on
    };
    return only ? Object.fromEntries(only.filter((f) => f in all).map((f) => [f, all[f]!])) : all;
  }

  protected override handle(req: FakeRequest): FakeReply {
    const creds = basicCredentials(req.headers.authorization);
    if (!creds || creds.user !== this.user || creds.password !== this.password)
      return snError(401, 'User Not Authenticated', 'Required to provide Auth information');
    const accept = String(req.headers.accept ?? '*/*');
    if (!/application\/json|\*\/\*|application\/\*/.test(accept))
      return snError(
        406,
        'Unsupported response format',
        `Accept ${accept} is not supported by this fake; send Accept: application/json`
      );
    const m = /^\/api\/now\/(?:v\d+\/)?table\/([^/]+)(?:\/([^/]+))?$/.exec(req.path);
    if (!m) return snError(400, 'Requested URI does not represent any resource', null);
    if (m[1] !== 'incident') return snError(400, `Invalid table ${m[1]}`, null);
    const sysId = m[2];
    const only = req.query
      .get('sysparm_fields')
      ?.split(',')
      .map((s) => s.trim());

    if ((req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') && !isJsonContentType(req))
      return snError(415, 'Unsupported Media Type', 'Content-Type must be application/json');
    if (
      (req.method === 'POST' || req.method === 'PATCH' || req.method === 'PUT') &&
      (typeof req.json !== 'object' || req.json === null)
    )
      return snError(400, 'Exception while reading request', 'The payload is not valid JSON.');

    if (!sysId && req.method === 'GET') {
      const found = this.query(req.query.get('sysparm_query') ?? '');
      const limit = Number(req.query.get('sysparm_limit') ?? 10_000);
      return { status: 200, body: { result: found.slice(0, limit).map((r) => this.json(r, only)) } };
    }
    if (!sysId && req.method === 'POST') return this.create(req.json as Record<string, unknown>, only);
    if (!sysId) return snError(405, 'Method not Supported', `${req.method} is not supported on a table`);
    const record = this.records.find((r) => r.sys_id === sysId);
    if (!record) return snError(404, 'No Record found', "Record doesn't exist or ACL restricts the record retrieval");
    if (req.method === 'GET') return { status: 200, body: { result: this.json(record, only) } };
    if (req.method === 'PATCH' || req.method === 'PUT')
      return this.update(record, req.json as Record<string, unknown>, only);
    return snError(405, 'Method not Supported', `${req.method} is not supported on a record`);
  }

  /** Encoded queries: `field=value` conditions joined by `^`, plus ORDERBY/ORDERBYDESC terms. */
  private query(q: string): FakeSnRecord[] {
    let found = [...this.records];
    for (const term of q.split('^').filter(Boolean)) {
      if (term.startsWith('ORDERBYDESC')) {
        found.reverse();
        continue;
      }
      if (term.startsWith('ORDERBY')) continue;
      const eq = term.indexOf('=');
      if (eq < 0) continue;
      const field = term.slice(0, eq);
      const value = term.slice(eq + 1);
      const get = (r: FakeSnRecord): string | undefined =>
        field === 'sys_id' ? r.sys_id : field === 'number' ? r.number : (r.fields as Record<string, string>)[field];
      // Unknown fields are ignored, not an error (glide.invalid_query.returns_no_rows defaults to false).
      if (field !== 'sys_id' && field !== 'number' && !(FIELDS as readonly string[]).includes(field)) continue;
      found = found.filter((r) => get(r) === value);
    }
    return found;
  }

  private apply(record: FakeSnRecord, body: Record<string, unknown>): FakeReply | null {
    const next = { ...record.fields };
    for (const f of FIELDS) if (body[f] !== undefined && body[f] !== null) next[f] = String(body[f]);
    if (next.state === SN_STATE.Resolved || next.state === SN_STATE.Closed) {
      const missing = [!next.close_code && 'Resolution code', !next.close_notes && 'Resolution notes'].filter(Boolean);
      if (missing.length)
        return snError(
          403,
          'Operation Failed',
          `Data Policy Exception: \n The following fields are mandatory: ${missing.join(', ')}`
        );
    }
    const wasClosed = record.fields.state === SN_STATE.Resolved || record.fields.state === SN_STATE.Closed;
    if (wasClosed && next.state !== record.fields.state && next.state !== SN_STATE.Closed) record.reopen_count++;
    if (next.state !== record.fields.state) record.stateHistory.push(next.state);
    record.fields = next;
    record.priority = priority(next.impact, next.urgency);
    for (const j of JOURNAL_FIELDS) {
      const v = body[j];
      if (typeof v === 'string' && v !== '') record[j].push(v);
    }
    record.sys_updated_on = snTime();
    return null;
  }

  private create(body: Record<string, unknown>, only?: string[]): FakeReply {
    const now = snTime();
    const empty = Object.fromEntries(FIELDS.map((f) => [f, ''])) as Record<Field, string>;
    const record: FakeSnRecord = {
      sys_id: randomBytes(16).toString('hex'),
      number: `INC${String(this.nextNumber++).padStart(7, '0')}`,
      fields: { ...empty, impact: '3', urgency: '3', state: SN_STATE.New },
      priority: '5',
      reopen_count: 0,
      work_notes: [],
      comments: [],
      sys_created_on: now,
      sys_updated_on: now,
      stateHistory: []
    };
    const refused = this.apply(record, body);
    if (refused) return refused;
    record.stateHistory = [record.fields.state];
    this.records.push(record);
    return {
      status: 201,
      headers: { location: `${this.url}/api/now/table/incident/${record.sys_id}` },
      body: { result: this.json(record, only) }
    };
  }

  private update(record: FakeSnRecord, body: Record<string, unknown>, only?: string[]): FakeReply {
    const refused = this.apply(record, body);
    if (refused) return refused;
    return { status: 200, body: { result: this.json(record, only) } };
  }
}

export async function startFakeServiceNow(opts: FakeServiceNowOptions = {}): Promise<FakeServiceNow> {
  return new FakeServiceNow(opts).start(opts);
}
