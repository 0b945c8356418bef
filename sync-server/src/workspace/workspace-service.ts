import {
  assignNumbers,
  bumpCatalogVersion,
  incidentsMap,
  isSystemRoom,
  membersMap,
  metaMap,
  SERVER,
  SYSTEM_SUFFIX,
  systemRoomName,
  upsertMember,
  type Member
} from '@firebreak/shared';
import type * as Y from 'yjs';
import type { Logger } from 'pino';
import type { WorkspaceSettings, WorkspaceStore } from '../access/workspaces.ts';
import type { Relay } from '../relay/relay.ts';
import type { Extension } from '../relay/extension.ts';
import type { RoomPolicy } from '../relay/types.ts';

/**
 * The server's own writes to each workspace: it numbers new incidents (INC-<n>) as they arrive,
 * keeps the members directory and moves the catalog version, all in the workspace's system
 * document, which only the server writes.
 */
export class WorkspaceService {
  private relay: Relay | null = null;

  constructor(
    private readonly workspaces: WorkspaceStore,
    private readonly log: Logger
  ) {}

  attach(relay: Relay) {
    this.relay = relay;
  }

  /** Room policy: `<ws>` is writable by members, `<ws>.system` by the server only; other names do not exist. */
  resolveRoom = (name: string): RoomPolicy | null => {
    const workspaceId = isSystemRoom(name) ? name.slice(0, -SYSTEM_SUFFIX.length) : name;
    if (!this.workspaces.get(workspaceId)) return null;
    return { workspaceId, writable: !isSystemRoom(name) };
  };

  /** Numbers incidents as they appear (and, on load, any that arrived before a crash unnumbered). */
  numbering(): Extension {
    return {
      name: 'numbering',
      onLoad: async (room) => {
        if (isSystemRoom(room.name)) return;
        await this.number(room.workspaceId, room.doc);
      },
      onChange: ({ room, txn }) => {
        if (isSystemRoom(room.name)) return;
        const keys = txn.changed.get(incidentsMap(room.doc) as unknown as Y.AbstractType<Y.YEvent<any>>);
        if (!keys?.size) return;
        this.number(room.workspaceId, room.doc).catch((err) =>
          this.log.error({ err, workspace: room.workspaceId }, 'numbering failed')
        );
      }
    };
  }

  /** Looks the system room up each time: it may have been unloaded and reloaded since. */
  private async number(workspaceId: string, workspace: Y.Doc): Promise<void> {
    const assigned = await this.mustRelay().withDoc(systemRoomName(workspaceId), (sys) =>
      assignNumbers(workspace, sys)
    );
    if (assigned.length)
      this.log.info({ workspace: workspaceId, assigned: assigned.map((a) => `INC-${a.number}`) }, 'numbered incidents');
  }

  /** Mirrors a workspace's settings into its system document (browsers show and obey them). */
  async publishSettings(workspaceId: string, settings: WorkspaceSettings): Promise<void> {
    await this.mustRelay().withDoc(systemRoomName(workspaceId), (sys) => {
      const meta = metaMap(sys);
      if (JSON.stringify(meta.get('settings')) !== JSON.stringify(settings))
        sys.transact(() => meta.set('settings', settings), SERVER);
    });
  }

  async bumpCatalogVersion(workspaceId: string): Promise<number> {
    return this.mustRelay().withDoc(systemRoomName(workspaceId), (sys) => bumpCatalogVersion(sys));
  }

  async upsertMember(workspaceId: string, member: Member): Promise<void> {
    await this.mustRelay().withDoc(systemRoomName(workspaceId), (sys) => upsertMember(sys, member));
  }

  /** Makes the system document's directory match the database (after a role change or removal). */
  async syncMembers(workspaceId: string, members: readonly Member[]): Promise<void> {
    await this.mustRelay().withDoc(systemRoomName(workspaceId), (sys) => {
      const map = membersMap(sys);
      sys.transact(() => {
        for (const m of members) upsertMember(sys, m);
        for (const id of [...map.keys()]) if (!members.some((m) => m.id === id)) map.delete(id);
      }, SERVER);
    });
  }

  /** Loads the workspace room so that server-side changes (and numbering) run with no browser connected. */
  async withWorkspace<T>(workspaceId: string, fn: (doc: Y.Doc) => T): Promise<T> {
    return this.mustRelay().withDoc(workspaceId, fn);
  }

  private mustRelay(): Relay {
    if (!this.relay) throw new Error('WorkspaceService used before attach()');
    return this.relay;
  }
}
