import { MemberJoinSchema, type Member } from '@firebreak/shared';
import { api, ApiError } from '../api.ts';

/** One workspace this browser is signed in to, and who it is there (the server made the member). */
export interface Grant {
  workspace: { id: string; name: string };
  member: Member;
}

/** What `GET /api/v1/session` answers. */
export interface SessionState {
  workspaces: Grant[];
  canCreateWorkspaces: boolean;
  /** FIREBREAK_OPEN=1: the workspace any browser may join without an invite. */
  open: { workspaceId: string; name?: string } | null;
}

export type ProfileErrors = Partial<Record<'name' | 'email', string>>;

const SESSION_KEY = 'firebreak:session';
const LAST_KEY = 'firebreak:last-workspace';

function readJson<T>(key: string): T | null {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null') as T | null;
  } catch {
    return null;
  }
}

function isSessionState(v: unknown): v is SessionState {
  return !!v && typeof v === 'object' && Array.isArray((v as SessionState).workspaces);
}

/** Field problems from the shared join schema, keyed for the form. */
export function profileProblems(input: { name: string; email: string }): ProfileErrors | null {
  const parsed = MemberJoinSchema.safeParse(input);
  if (parsed.success) return null;
  const errors: ProfileErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if ((key === 'name' || key === 'email') && !errors[key]) errors[key] = issue.message;
  }
  return errors;
}

/**
 * Who this browser is, per workspace. The server keeps the session (an httpOnly cookie); this
 * store mirrors `GET /api/v1/session` into localStorage so the app also starts offline, as the
 * member it last was.
 */
export class Session {
  state = $state.raw<SessionState | null>(isSessionState(readJson(SESSION_KEY)) ? readJson(SESSION_KEY) : null);
  /** The server answered at least once since the app started. */
  fresh = $state(false);
  /** Why the last refresh failed (offline is `error.offline`). */
  error = $state.raw<ApiError | null>(null);

  get workspaces(): readonly Grant[] {
    return this.state?.workspaces ?? [];
  }

  grant(workspaceId: string): Grant | null {
    return this.workspaces.find((g) => g.workspace.id === workspaceId) ?? null;
  }

  get lastWorkspace(): string | null {
    return localStorage.getItem(LAST_KEY);
  }

  remember(workspaceId: string): void {
    localStorage.setItem(LAST_KEY, workspaceId);
  }

  #store(state: SessionState) {
    this.state = state;
    localStorage.setItem(SESSION_KEY, JSON.stringify(state));
  }

  async refresh(): Promise<void> {
    try {
      this.#store(await api.get<SessionState>('/api/v1/session'));
      this.error = null;
    } catch (err) {
      this.error = err instanceof ApiError ? err : new ApiError('client', String(err), 0);
    } finally {
      this.fresh = true;
    }
  }

  /** Redeems an invite link; the server sets the session cookie. */
  async join(token: string, profile: { name: string; email: string }): Promise<Grant> {
    const grant = await api.post<Grant>('/api/v1/join', { token, ...profile });
    await this.refresh();
    return grant;
  }

  /** Joins the open workspace (FIREBREAK_OPEN) as an editor. */
  async openJoin(workspaceId: string, profile: { name: string; email: string }): Promise<Grant> {
    const grant = await api.post<Grant>(`/api/v1/w/${encodeURIComponent(workspaceId)}/open-join`, profile);
    await this.refresh();
    return grant;
  }

  async updateProfile(workspaceId: string, profile: { name: string; email: string }): Promise<Member> {
    const { member } = await api.put<{ member: Member }>(`/api/v1/w/${encodeURIComponent(workspaceId)}/me`, profile);
    await this.refresh();
    return member;
  }

  async signOut(): Promise<void> {
    await api.post('/api/v1/logout', {});
    localStorage.removeItem(SESSION_KEY);
    localStorage.removeItem(LAST_KEY);
    this.state = { workspaces: [], canCreateWorkspaces: false, open: this.state?.open ?? null };
  }
}
