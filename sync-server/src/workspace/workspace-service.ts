import {
  assignNumbers,
  bumpCatalogVersion,
  incidentsMap,
  isSystemRoom,
  systemRoomName,
  upsertMember,
  type Member
} from '@firebreak/shared';
import type * as Y from 'yjs';
import type { Logger } from 'pino';
import type { Relay, RoomPolicy } from '../relay/relay.ts';
import type { Room } from '../relay/room.ts';

/**
 * The server's own writes to a workspace: it numbers new incidents (INC-<n>) as they arrive,
 * keeps the members directory and moves the catalog version. All of these live in the system
 * document, which only the server writes.
 */
export class WorkspaceService {
  private relay: Relay | null = null;

  constructor(
    readonly workspaceId: string,
    private readonly log: Logger
  ) {}

  attach(relay: Relay) {
    this.relay = relay;
  }

  /** Room policy for the relay: the workspace doc is writable, its system doc is not. */
  resolveRoom = (name: string): RoomPolicy | null => {
    if (name === this.workspaceId) return { writable: true };
    if (name === systemRoomName(this.workspaceId)) return { writable: false };
    return null;
  };

  onRoomLoaded = async (room: Room): Promise<void> => {
    if (isSystemRoom(room.name)) return;
    // Number anything that arrived before a crash but was not numbered yet.
    await this.number(room.doc);
    incidentsMap(room.doc).observe((event) => {
      for (const change of event.changes.keys.values()) {
        if (change.action === 'add') {
          this.number(room.doc).catch((err) => this.log.error({ err }, 'numbering failed'));
          return;
        }
      }
    });
  };

  /** Looks the system room up each time: it may have been unloaded and reloaded since. */
  private async number(workspace: Y.Doc): Promise<void> {
    const assigned = await this.mustRelay().withDoc(systemRoomName(this.workspaceId), (sys) =>
      assignNumbers(workspace, sys)
    );
    if (assigned.length) this.log.info({ assigned: assigned.map((a) => `INC-${a.number}`) }, 'numbered incidents');
  }

  async bumpCatalogVersion(): Promise<number> {
    return this.mustRelay().withDoc(systemRoomName(this.workspaceId), (sys) => bumpCatalogVersion(sys));
  }

  async upsertMember(member: Member): Promise<void> {
    await this.mustRelay().withDoc(systemRoomName(this.workspaceId), (sys) => upsertMember(sys, member));
  }

  /** Loads the workspace room so that numbering runs even with no browser connected. */
  async withWorkspace<T>(fn: (doc: Y.Doc) => T): Promise<T> {
    return this.mustRelay().withDoc(this.workspaceId, fn);
  }

  private mustRelay(): Relay {
    if (!this.relay) throw new Error('WorkspaceService used before attach()');
    return this.relay;
  }
}
