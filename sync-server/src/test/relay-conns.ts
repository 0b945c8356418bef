import type { Conn } from '../relay/room.ts';
import type { ConnectionContext } from '../relay/types.ts';

/** A connection as the Relay sees it, recording what it was sent (`onSend` hears each frame). */
export function fakeConn(id: string, onSend: (data: Uint8Array) => void = () => {}) {
  const sent: Uint8Array[] = [];
  let closed: number | null = null;
  const conn: Conn = {
    id,
    send: (d) => {
      sent.push(d);
      onSend(d);
    },
    close: (code) => (closed ??= code)
  };
  return { conn, sent, closed: () => closed };
}

/** An editor of workspace `w`. */
export const editorContext = (id: string): ConnectionContext => ({
  workspaceId: 'w',
  member: { id, name: id, email: `${id}@example.com` },
  role: 'editor',
  readOnly: false
});
