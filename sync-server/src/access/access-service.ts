import type { Logger } from 'pino';
import type { Member, MemberRole } from '@firebreak/shared';
import type { Db } from '../db/open.ts';
import type { Relay } from '../relay/relay.ts';
import { CloseCode } from '../relay/protocol.ts';
import type { WorkspaceService } from '../workspace/workspace-service.ts';
import { sameSecret } from './crypto.ts';
import { IngestTokenStore, type IngestToken } from './ingest-tokens.ts';
import { InviteStore, inviteRefusal, inviteState, type Invite, type InviteState } from './invites.ts';
import { atLeast, MemberStore } from './members.ts';
import { SessionStore } from './sessions.ts';
import { WorkspaceStore, type Workspace } from './workspaces.ts';

/** Why an access operation was refused, with the HTTP status a route answers it with. */
export class AccessError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 410,
    readonly code: string,
    message: string
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

export interface Grant {
  workspace: Workspace;
  member: Member;
}

export interface AccessDeps {
  db: Db;
  serverKey: Buffer;
  relay: Relay;
  workspaceService: WorkspaceService;
  log: Logger;
  /** The workspace `FIREBREAK_INGEST_TOKEN` and `FIREBREAK_OPEN` apply to; its admins may create workspaces. */
  defaultWorkspaceId: string;
  /** FIREBREAK_INGEST_TOKEN: a token for the default workspace, when set. */
  envIngestToken: string | null;
  /** FIREBREAK_OPEN=1: the default workspace lets any browser join as an editor, without an invite. */
  open: boolean;
  now?: () => Date;
}

/**
 * Workspaces, members, sessions, invites and ingest tokens, and what a change of them does to
 * live connections (a removed member is disconnected, a downgraded one becomes read-only at once)
 * and to the system document's member directory.
 */
export class AccessService {
  readonly workspaces: WorkspaceStore;
  readonly members: MemberStore;
  readonly sessions: SessionStore;
  readonly invites: InviteStore;
  readonly tokens: IngestTokenStore;
  private readonly now: () => Date;

  constructor(private readonly deps: AccessDeps) {
    this.workspaces = new WorkspaceStore(deps.db);
    this.members = new MemberStore(deps.db);
    this.sessions = new SessionStore(deps.db, deps.serverKey);
    this.invites = new InviteStore(deps.db);
    this.tokens = new IngestTokenStore(deps.db);
    this.now = deps.now ?? (() => new Date());
  }

  get defaultWorkspaceId(): string {
    return this.deps.defaultWorkspaceId;
  }

  get openMode(): boolean {
    return this.deps.open;
  }

  // ---- workspaces -----------------------------------------------------------------------------

  createWorkspace(id: string, name: string): Workspace {
    return this.workspaces.create(id, name, this.now());
  }

  /** Admins of the default workspace run the server: they may create more workspaces. */
  canCreateWorkspaces(grants: readonly Grant[]): boolean {
    return grants.some((g) => g.workspace.id === this.deps.defaultWorkspaceId && g.member.role === 'admin');
  }

  // ---- sessions -------------------------------------------------------------------------------

  /** Every workspace this browser session may enter, with its member there. */
  grants(sid: string | null): Grant[] {
    if (!sid) return [];
    const out: Grant[] = [];
    for (const g of this.sessions.grants(sid, this.now())) {
      const workspace = this.workspaces.get(g.workspaceId);
      const member = this.members.get(g.workspaceId, g.memberId);
      if (workspace && member && !member.removedAt) out.push({ workspace, member });
    }
    return out;
  }

  grant(sid: string | null, workspaceId: string): Grant | null {
    return this.grants(sid).find((g) => g.workspace.id === workspaceId) ?? null;
  }

  /** Whether this session was for a member of `workspaceId` who has since been removed. */
  wasRemoved(sid: string | null, workspaceId: string): boolean {
    if (!sid) return false;
    return this.sessions
      .grants(sid, this.now())
      .some((g) => g.workspaceId === workspaceId && !!this.members.get(workspaceId, g.memberId)?.removedAt);
  }

  // ---- joining --------------------------------------------------------------------------------

  describeInvite(token: string): { invite: Invite; workspace: Workspace; state: InviteState } | null {
    const invite = this.invites.find(token);
    const workspace = invite && this.workspaces.get(invite.workspaceId);
    if (!invite || !workspace) return null;
    return { invite, workspace, state: inviteState(invite, this.now()) };
  }

  createInvite(
    workspaceId: string,
    opts: { role: MemberRole; ttlMs?: number; createdBy?: string | null; bootstrap?: boolean; memberId?: string }
  ): { invite: Invite; token: string } {
    if (!this.workspaces.get(workspaceId)) throw new AccessError(404, 'not_found', `No workspace "${workspaceId}"`);
    if (opts.memberId) {
      const m = this.members.get(workspaceId, opts.memberId);
      if (!m || m.removedAt) throw new AccessError(404, 'not_found', 'No such member');
      opts = { ...opts, role: m.role };
    }
    return this.invites.create(workspaceId, opts, this.now());
  }

  /**
   * Redeems a one-time invite for this browser session: a new member with the invite's role (a
   * sign-in link for an existing member signs in as them). The first start's admin invite also
   * makes its redeemer admin of every workspace without an admin (the demo).
   */
  async join(token: string, sid: string, profile: { name: string; email: string }): Promise<Grant> {
    const found = this.describeInvite(token);
    if (!found)
      throw new AccessError(404, 'invalid_invite', 'This invite link is not valid. Ask an admin for a new one.');
    if (found.state !== 'valid') throw new AccessError(410, `invite_${found.state}`, inviteRefusal(found.state));
    const { invite, workspace } = found;
    const current = this.grant(sid, workspace.id);
    // Never swap who a browser is by accident (an admin clicking a viewer link would demote themselves).
    if (current)
      throw new AccessError(
        409,
        'already_member',
        `This browser is already signed in to ${workspace.name} as ${current.member.name}; the link was not used`
      );
    const now = this.now();
    const existing = invite.memberId ? this.members.get(workspace.id, invite.memberId) : null;
    if (invite.memberId && (!existing || existing.removedAt))
      throw new AccessError(410, 'invite_revoked', 'The member this sign-in link was for has been removed.');
    const member = existing
      ? this.members.updateProfile(workspace.id, existing.id, profile)!
      : this.members.add(workspace.id, { ...profile, role: invite.role }, now);
    if (!this.invites.redeem(token, member.id, now)) throw new AccessError(410, 'invite_used', inviteRefusal('used'));
    this.sessions.grant(sid, workspace.id, member.id, now);
    await this.deps.workspaceService.upsertMember(workspace.id, member);
    if (invite.bootstrap) await this.claimOwnerless(sid, profile);
    this.deps.log.info({ workspace: workspace.id, member: member.id, role: member.role }, 'member joined');
    return { workspace, member };
  }

  private async claimOwnerless(sid: string, profile: { name: string; email: string }) {
    for (const ws of this.workspaces.list()) {
      if (this.members.adminCount(ws.id) > 0) continue;
      const member = this.members.add(ws.id, { ...profile, role: 'admin' }, this.now());
      this.sessions.grant(sid, ws.id, member.id, this.now());
      await this.deps.workspaceService.upsertMember(ws.id, member);
    }
  }

  /** FIREBREAK_OPEN: any browser joins the default workspace as its own editor. */
  async openJoin(workspaceId: string, sid: string, profile: { name: string; email: string }): Promise<Grant> {
    if (!this.deps.open || workspaceId !== this.deps.defaultWorkspaceId)
      throw new AccessError(403, 'invite_required', 'Joining this workspace needs an invite link from an admin.');
    const workspace = this.workspaces.get(workspaceId);
    if (!workspace) throw new AccessError(404, 'not_found', `No workspace "${workspaceId}"`);
    const current = this.grant(sid, workspaceId);
    const member = current
      ? this.members.updateProfile(workspaceId, current.member.id, profile)!
      : this.members.add(workspaceId, { ...profile, role: 'editor' }, this.now());
    this.sessions.grant(sid, workspaceId, member.id, this.now());
    await this.deps.workspaceService.upsertMember(workspaceId, member);
    return { workspace, member };
  }

  // ---- members --------------------------------------------------------------------------------

  async updateProfile(workspaceId: string, memberId: string, profile: { name: string; email: string }) {
    const member = this.members.updateProfile(workspaceId, memberId, profile);
    if (!member) throw new AccessError(404, 'not_found', 'No such member');
    await this.deps.workspaceService.upsertMember(workspaceId, member);
    return member;
  }

  async setRole(workspaceId: string, memberId: string, role: MemberRole): Promise<Member> {
    const member = this.activeMember(workspaceId, memberId);
    if (member.role === 'admin' && role !== 'admin') this.keepAnAdmin(workspaceId);
    const updated = this.members.setRole(workspaceId, memberId, role)!;
    this.deps.relay.updateMemberAccess(workspaceId, memberId, { role, readOnly: !atLeast(role, 'editor') });
    await this.deps.workspaceService.upsertMember(workspaceId, updated);
    this.deps.log.info({ workspace: workspaceId, member: memberId, role }, 'role changed');
    return updated;
  }

  async removeMember(workspaceId: string, memberId: string): Promise<Member> {
    const member = this.activeMember(workspaceId, memberId);
    if (member.role === 'admin') this.keepAnAdmin(workspaceId);
    // Their sessions stay (now granting nothing) so a browser is told it was removed, not that it never belonged.
    this.members.remove(workspaceId, memberId, this.now());
    const workspace = this.workspaces.get(workspaceId)!;
    this.deps.relay.disconnectMember(
      workspaceId,
      memberId,
      CloseCode.Unauthorized,
      `Your access to ${workspace.name} was removed`
    );
    const removed = this.members.get(workspaceId, memberId)!;
    await this.deps.workspaceService.upsertMember(workspaceId, removed);
    this.deps.log.info({ workspace: workspaceId, member: memberId }, 'member removed');
    return removed;
  }

  private activeMember(workspaceId: string, memberId: string): Member {
    const m = this.members.get(workspaceId, memberId);
    if (!m || m.removedAt) throw new AccessError(404, 'not_found', 'No such member');
    return m;
  }

  private keepAnAdmin(workspaceId: string) {
    if (this.members.adminCount(workspaceId) <= 1)
      throw new AccessError(409, 'last_admin', 'A workspace needs at least one admin: make someone else admin first.');
  }

  // ---- ingest tokens --------------------------------------------------------------------------

  /** The workspace an ingest token belongs to, or null. */
  verifyIngestToken(token: string): { workspaceId: string; token: IngestToken | null } | null {
    const env = this.deps.envIngestToken;
    if (env && sameSecret(token, env)) return { workspaceId: this.deps.defaultWorkspaceId, token: null };
    const found = this.tokens.verify(token, this.now());
    return found ? { workspaceId: found.workspaceId, token: found } : null;
  }
}
