import type { Db } from '../db/open.ts';

/**
 * Which member introduced each Yjs client id of a room. A connection may write new structs only
 * under client ids its member owns (or new ones, which it then owns), so nobody can write clocks
 * under a teammate's id and make that teammate's offline edits unmergeable.
 */
export class ClientOwnerStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      all: db.prepare<[string], { client_id: number; member_id: string }>(
        'SELECT client_id, member_id FROM client_owners WHERE room = ?'
      ),
      claim: db.prepare(
        `INSERT INTO client_owners (workspace_id, room, client_id, member_id, claimed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (room, client_id) DO NOTHING`
      )
    };
  }

  load(room: string): Array<[number, string]> {
    return this.s.all.all(room).map((r) => [r.client_id, r.member_id]);
  }

  /** Call inside the batch's store transaction. */
  claim(workspaceId: string, room: string, clientId: number, memberId: string, at = new Date()): void {
    this.s.claim.run(workspaceId, room, clientId, memberId, at.toISOString());
  }
}
