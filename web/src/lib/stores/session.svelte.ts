import { MemberJoinSchema, ulid, type Member } from '@firebreak/shared';
import { api, ApiError } from '../api.ts';

/** The person using this browser. Kept in localStorage; the server learns it through PUT /members/:id. */
export interface LocalMember {
  id: string;
  name: string;
  email: string;
}

const MEMBER_KEY = 'firebreak:member';
/** Set while the server has not yet confirmed the profile (saved offline, or the PUT failed). */
const UNSENT_KEY = 'firebreak:member-unsent';

function load(): LocalMember | null {
  try {
    const v = JSON.parse(localStorage.getItem(MEMBER_KEY) ?? 'null') as Partial<LocalMember> | null;
    if (v && typeof v.id === 'string' && typeof v.name === 'string' && typeof v.email === 'string')
      return v as LocalMember;
  } catch {
    // A hand-edited or corrupt entry: ask again.
  }
  return null;
}

export type ProfileErrors = Partial<Record<'name' | 'email', string>>;

export class Session {
  member = $state<LocalMember | null>(load());
  /** The last reason the server refused the profile, shown in the header; null when fine or merely offline. */
  error = $state<string | null>(null);
  #unsent = $state(localStorage.getItem(UNSENT_KEY) === '1');
  #sending = false;

  get unsent(): boolean {
    return this.#unsent;
  }

  /** Validates and stores the profile locally (works offline), then tells the server. */
  save(input: { name: string; email: string }): ProfileErrors | null {
    const parsed = MemberJoinSchema.safeParse(input);
    if (!parsed.success) {
      const errors: ProfileErrors = {};
      for (const issue of parsed.error.issues) {
        const key = issue.path[0];
        if ((key === 'name' || key === 'email') && !errors[key]) errors[key] = issue.message;
      }
      return errors;
    }
    this.member = { id: this.member?.id ?? ulid(), name: parsed.data.name, email: parsed.data.email };
    localStorage.setItem(MEMBER_KEY, JSON.stringify(this.member));
    this.#setUnsent(true);
    void this.push();
    return null;
  }

  /** Sends the profile if the server has not confirmed it; offline it waits for the next `online` event. */
  async push(): Promise<void> {
    const m = this.member;
    if (!m || !this.#unsent || this.#sending) return;
    this.#sending = true;
    try {
      await api.put<{ member: Member }>(`/api/v1/members/${encodeURIComponent(m.id)}`, {
        name: m.name,
        email: m.email
      });
      // Only clear if nothing changed while the request was in flight.
      if (this.member === m) this.#setUnsent(false);
      this.error = null;
    } catch (err) {
      this.error = err instanceof ApiError && !err.offline ? err.message : null;
    } finally {
      this.#sending = false;
    }
    if (this.member !== m) void this.push();
  }

  /** Retries the profile when the network returns. Returns the cleanup. */
  start(): () => void {
    const retry = () => void this.push();
    window.addEventListener('online', retry);
    retry();
    return () => window.removeEventListener('online', retry);
  }

  #setUnsent(v: boolean) {
    this.#unsent = v;
    if (v) localStorage.setItem(UNSENT_KEY, '1');
    else localStorage.removeItem(UNSENT_KEY);
  }
}
