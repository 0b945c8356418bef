import type { MemberRole } from '@firebreak/shared';

/** Who is on the other end of one websocket, as the `authenticate` hook established at upgrade. */
export interface ConnectionContext {
  workspaceId: string;
  member: { id: string; name: string; email: string };
  role: MemberRole;
  /** Sync and awareness still flow; document updates from this connection are dropped. */
  readOnly: boolean;
}

/** What a room is: its workspace, and whether clients may write it (not the system document). */
export interface RoomPolicy {
  workspaceId: string;
  writable: boolean;
}

/** Transaction origin of an update a connection sent, so hooks can tell who wrote what. */
export interface RemoteOrigin {
  readonly kind: 'remote';
  readonly connId: string;
  readonly context: ConnectionContext;
}

export function remoteContext(origin: unknown): ConnectionContext | null {
  const o = origin as Partial<RemoteOrigin> | null;
  return o && o.kind === 'remote' && o.context ? o.context : null;
}

/** Thrown by `authenticate` to refuse a connection: it is closed with `code` and `reason` at once. */
export class RelayRefusal extends Error {
  constructor(
    readonly code: number,
    readonly reason: string
  ) {
    super(reason);
    this.name = 'RelayRefusal';
  }
}
