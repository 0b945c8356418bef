import type { WSEvents } from 'hono/ws';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { ulid } from '@firebreak/shared';
import { CloseCode } from './protocol.ts';
import type { ConnectionHandler, Relay } from './relay.ts';
import type { Conn } from './room.ts';

/** Clients are dropped after 30 s of silence, so ping a little more often than that. */
export const PING_INTERVAL_MS = 25_000;
/** A client that cannot keep up this much unsent data is cut off rather than buffered forever. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** Binds one Hono websocket to the relay: heartbeat, frame hand-off, close. */
export function syncSocket(relay: Relay, room: string, log: Logger): WSEvents {
  let handler: ConnectionHandler | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  return {
    onOpen(_evt, ws) {
      // @hono/node-server hands us the underlying `ws` socket as `raw`.
      const raw = ws.raw as unknown as WebSocket;
      const conn: Conn = {
        id: ulid(),
        send(data) {
          if (raw.readyState !== raw.OPEN) return;
          if (raw.bufferedAmount > MAX_BUFFERED_BYTES) return raw.close(CloseCode.TooLarge, 'client too slow');
          raw.send(data);
        },
        close(code, reason) {
          if (raw.readyState === raw.OPEN || raw.readyState === raw.CONNECTING) raw.close(code, reason.slice(0, 120));
        }
      };
      let alive = true;
      raw.on('pong', () => (alive = true));
      heartbeat = setInterval(() => {
        if (!alive) {
          log.info({ room, conn: conn.id }, 'no pong; closing');
          raw.terminate();
          return;
        }
        alive = false;
        raw.ping();
      }, PING_INTERVAL_MS);
      handler = relay.connect(room, conn);
    },
    onMessage(evt) {
      handler?.onMessage(evt.data as ArrayBuffer | string);
    },
    onClose() {
      if (heartbeat) clearInterval(heartbeat);
      handler?.onClose();
    },
    onError(evt) {
      log.warn({ room, err: (evt as ErrorEvent).error }, 'websocket error');
    }
  };
}
