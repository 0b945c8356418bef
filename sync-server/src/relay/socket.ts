import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { ulid } from '@firebreak/shared';
import { CloseCode } from './protocol.ts';
import { MAX_BUFFERED_BYTES } from './limits.ts';
import type { Relay } from './relay.ts';
import type { Conn } from './room.ts';
import { RelayRefusal, type ConnectionContext } from './types.ts';

/** Clients are dropped after 30 s of silence, so ping a little more often than that. */
export const PING_INTERVAL_MS = 25_000;

/**
 * Binds one accepted `ws` socket to the relay: heartbeat, frame hand-off, close. A refused upgrade
 * (`auth` is a RelayRefusal) is closed at once with its code and reason, before any document byte.
 * Frames go to the relay as `ws` delivers them (a Buffer view, no copy).
 */
export function bindSyncSocket(
  raw: WebSocket,
  relay: Relay,
  room: string,
  auth: ConnectionContext | RelayRefusal,
  log: Logger
): void {
  raw.on('error', (err) => log.warn({ room, err }, 'websocket error'));
  if (auth instanceof RelayRefusal) {
    raw.close(auth.code, auth.reason.slice(0, 120));
    return;
  }
  // ws closes a frame over its maxPayload with 1009, which y-websocket retries forever with the
  // same frame; our 4413 tells the browser to stop and say why.
  const close = raw.close.bind(raw);
  raw.close = ((code?: number, reason?: string | Buffer) =>
    code === 1009
      ? close(CloseCode.TooLarge, 'message too large for this server')
      : close(code, reason)) as typeof raw.close;
  const conn: Conn = {
    id: ulid(),
    send(data) {
      if (raw.readyState !== raw.OPEN) return;
      // A retryable close: the client reconnects and resyncs instead of being buffered forever.
      if (raw.bufferedAmount > MAX_BUFFERED_BYTES)
        return raw.close(CloseCode.SlowReader, 'connection too slow; reconnecting');
      raw.send(data);
    },
    close(code, reason) {
      if (raw.readyState === raw.OPEN || raw.readyState === raw.CONNECTING) raw.close(code, reason.slice(0, 120));
    }
  };
  let alive = true;
  raw.on('pong', () => (alive = true));
  const heartbeat = setInterval(() => {
    if (!alive) {
      log.info({ room, conn: conn.id }, 'no pong; closing');
      raw.terminate();
      return;
    }
    alive = false;
    raw.ping();
  }, PING_INTERVAL_MS);
  const handler = relay.connect(room, conn, auth);
  raw.on('message', (data: Buffer, isBinary: boolean) => handler.onMessage(isBinary ? data : data.toString()));
  raw.on('close', () => {
    clearInterval(heartbeat);
    handler.onClose();
  });
}
