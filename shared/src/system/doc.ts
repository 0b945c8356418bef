import * as Y from 'yjs';
import { z } from 'zod';
import { SERVER, type Origin } from '../vocab.ts';
import { incidentsMap } from '../incident/doc.ts';

/**
 * Layout of the system document (room `<workspaceId>.system`): written only by the server, read
 * by every client (the relay drops client updates to it). Never put a secret here: every member
 * can read every byte.
 *
 *   numbers: Y.Map<incidentId, number>            INC-<n>, assigned in creation order
 *   members: Y.Map<memberId, Member>              the directory leads are chosen from
 *   links:   Y.Map<incidentId, IntegrationLink[]> what integrations wrote back (channel, ticket…)
 *   meta:    Y.Map  catalogVersion: number        bumped on every ingest; browsers pull on change
 */
export const SYSTEM_SUFFIX = '.system';
export const systemRoomName = (workspaceId: string) => `${workspaceId}${SYSTEM_SUFFIX}`;
export const isSystemRoom = (room: string) => room.endsWith(SYSTEM_SUFFIX);

export const MemberRole = z.enum(['admin', 'editor', 'viewer']);
export type MemberRole = z.infer<typeof MemberRole>;

export const MemberSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  role: MemberRole.default('editor'),
  joinedAt: z.string(),
  /** Set when an admin removed the member: their name still labels the history they wrote. */
  removedAt: z.string().nullable().default(null)
});
export type Member = z.infer<typeof MemberSchema>;

export const MemberJoinSchema = z.object({
  name: z.string().trim().min(1, 'Enter your display name').max(120),
  email: z.email('Enter a valid email address').max(320)
});
export type MemberJoin = z.infer<typeof MemberJoinSchema>;

export const Integration = z.enum(['slack', 'teams', 'jira', 'servicenow', 'webhook']);
export type Integration = z.infer<typeof Integration>;

/**
 * One integration's entry in an incident's Integrations tile, written by the server's outbox
 * worker: its link (channel, issue, record) and the state of its latest delivery.
 */
export const IntegrationLinkSchema = z.object({
  integration: Integration,
  /** Which configured integration (a workspace may have two webhooks). */
  integrationId: z.string().optional(),
  name: z.string(),
  url: z.string().nullable(),
  /** pending: queued; delivered: the latest event arrived; retrying: failed, tried again at nextAttemptAt; failed: gave up. */
  state: z.enum(['pending', 'delivered', 'retrying', 'failed']),
  error: z.string().nullable().optional(),
  nextAttemptAt: z.string().nullable().optional(),
  attempts: z.number().optional(),
  /** The outbox row an admin retries when it failed. */
  deliveryId: z.number().nullable().optional(),
  /** A link the receiver added (webhook reply or callback) rather than the integration's own. */
  extra: z.boolean().optional(),
  updatedAt: z.string()
});
export type IntegrationLink = z.infer<typeof IntegrationLinkSchema>;

/** The workspace's enabled integrations, as every browser may see them (no configuration). */
export const IntegrationSummarySchema = z.object({
  id: z.string(),
  integration: Integration,
  name: z.string(),
  paused: z.boolean()
});
export type IntegrationSummary = z.infer<typeof IntegrationSummarySchema>;

const INTEGRATIONS_META_KEY = 'integrations';

/** The configured integrations, as the server last published them (empty when none or unreadable). */
export function integrationsList(sys: Y.Doc): IntegrationSummary[] {
  const parsed = z.array(IntegrationSummarySchema).safeParse(metaMap(sys).get(INTEGRATIONS_META_KEY));
  return parsed.success ? parsed.data : [];
}

export function setIntegrationsList(sys: Y.Doc, list: IntegrationSummary[], origin: Origin = SERVER): boolean {
  if (JSON.stringify(integrationsList(sys)) === JSON.stringify(list)) return false;
  sys.transact(() => metaMap(sys).set(INTEGRATIONS_META_KEY, list), origin);
  return true;
}

/** An incident's tile entries, each parsed (anything unreadable is left out). */
export function incidentLinks(sys: Y.Doc, incidentId: string): IntegrationLink[] {
  const v = linksMap(sys).get(incidentId);
  if (!Array.isArray(v)) return [];
  const out: IntegrationLink[] = [];
  for (const l of v) {
    const parsed = IntegrationLinkSchema.safeParse(l);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export const numbersMap = (sys: Y.Doc) => sys.getMap<number>('numbers');
export const membersMap = (sys: Y.Doc) => sys.getMap<Member>('members');
export const linksMap = (sys: Y.Doc) => sys.getMap<IntegrationLink[]>('links');
export const metaMap = (sys: Y.Doc) => sys.getMap<unknown>('meta');

export function formatNumber(n: number | undefined): string | null {
  return n === undefined ? null : `INC-${n}`;
}

export function catalogVersion(sys: Y.Doc): number {
  const v = metaMap(sys).get('catalogVersion');
  return typeof v === 'number' ? v : 0;
}

export function bumpCatalogVersion(sys: Y.Doc, origin: Origin = SERVER): number {
  const next = catalogVersion(sys) + 1;
  sys.transact(() => metaMap(sys).set('catalogVersion', next), origin);
  return next;
}

export function upsertMember(sys: Y.Doc, member: Member, origin: Origin = SERVER): boolean {
  const prev = membersMap(sys).get(member.id);
  if (
    prev &&
    prev.name === member.name &&
    prev.email === member.email &&
    prev.role === member.role &&
    (prev.removedAt ?? null) === (member.removedAt ?? null)
  )
    return false;
  sys.transact(() => membersMap(sys).set(member.id, prev ? { ...member, joinedAt: prev.joinedAt } : member), origin);
  return true;
}

/**
 * Gives every incident of the workspace document that has no number yet the next `INC-<n>`, in
 * creation order (ties by id), so numbers are stable and gap-free whatever order offline
 * batches arrive in. Returns the numbers assigned.
 */
export function assignNumbers(
  workspace: Y.Doc,
  sys: Y.Doc,
  origin: Origin = SERVER
): Array<{ id: string; number: number }> {
  const numbers = numbersMap(sys);
  const pending: Array<{ id: string; createdAt: string }> = [];
  for (const [id, m] of incidentsMap(workspace).entries()) {
    // Only real incidents get numbers: a client may have written anything into the map.
    if (numbers.has(id) || !(m instanceof Y.Map)) continue;
    const createdAt = m.get('createdAt');
    pending.push({ id, createdAt: typeof createdAt === 'string' ? createdAt : '' });
  }
  if (!pending.length) return [];
  pending.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  let next = 0;
  for (const n of numbers.values()) if (typeof n === 'number' && n > next) next = n;
  const assigned = pending.map((p) => ({ id: p.id, number: ++next }));
  sys.transact(() => {
    for (const a of assigned) numbers.set(a.id, a.number);
  }, origin);
  return assigned;
}
