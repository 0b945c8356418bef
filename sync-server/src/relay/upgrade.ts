import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { WebSocketServer } from 'ws';
import type { AccessService } from '../access/access-service.ts';
import { atLeast } from '../access/members.ts';
import { SESSION_COOKIE } from '../access/sessions.ts';
import { CloseCode } from './protocol.ts';
import type { Relay } from './relay.ts';
import { bindSyncSocket } from './socket.ts';
import { RelayRefusal, type ConnectionContext, type RoomPolicy } from './types.ts';

/** Refused websocket upgrades one address may make per window before it is answered 429 without upgrading. */
export const MAX_REFUSED_UPGRADES_PER_MINUTE = 30;
const REFUSAL_WINDOW_MS = 60_000;
const SYNC_PREFIX = '/sync/';

export interface UpgradeDeps {
  relay: Relay;
  access: AccessService;
  resolveRoom(name: string): RoomPolicy | null;
  allowedOrigins: () => ReadonlySet<string>;
  log: Logger;
}

function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * Who may open this room: the Origin (when a browser sends one) must be the app's own, the
 * session must be a member of the room's workspace, and viewers connect read-only.
 */
export function authenticateUpgrade(
  deps: UpgradeDeps,
  headers: IncomingMessage['headers'],
  room: string
): ConnectionContext | RelayRefusal {
  const origin = headers.origin;
  if (origin && !deps.allowedOrigins().has(origin))
    return new RelayRefusal(CloseCode.Forbidden, `Connections from ${origin} are not allowed`);
  const policy = deps.resolveRoom(room);
  if (!policy) return new RelayRefusal(CloseCode.NotFound, 'This workspace does not exist');
  const sid = deps.access.sessions.verifyCookie(cookie(headers.cookie, SESSION_COOKIE));
  if (!sid) return new RelayRefusal(CloseCode.Unauthorized, 'Not signed in: open an invite link to join');
  const grant = deps.access.grant(sid, policy.workspaceId);
  if (!grant) {
    if (deps.access.wasRemoved(sid, policy.workspaceId)) {
      const name = deps.access.workspaces.get(policy.workspaceId)?.name ?? policy.workspaceId;
      return new RelayRefusal(CloseCode.Unauthorized, `Your access to ${name} was removed`);
    }
    if (!deps.access.grants(sid).length)
      return new RelayRefusal(CloseCode.Unauthorized, 'Signed out: open an invite link to join');
    return new RelayRefusal(CloseCode.Forbidden, 'You are not a member of this workspace');
  }
  const { member } = grant;
  return {
    workspaceId: policy.workspaceId,
    member: { id: member.id, name: member.name, email: member.email },
    role: member.role,
    readOnly: !atLeast(member.role, 'editor')
  };
}

/**
 * The HTTP server's `upgrade` handler for `/sync/<room>`: authenticates, then hands the socket to
 * the relay. Other paths are refused. An address that keeps being refused gets a plain 429.
 */
export function syncUpgradeHandler(deps: UpgradeDeps, wss: WebSocketServer) {
  const refusals = new Map<string, { n: number; since: number }>();
  const counter = (addr: string, now: number) => {
    let e = refusals.get(addr);
    if (!e || now - e.since > REFUSAL_WINDOW_MS) {
      e = { n: 0, since: now };
      refusals.set(addr, e);
      if (refusals.size > 10_000)
        for (const [a, x] of refusals) if (now - x.since > REFUSAL_WINDOW_MS) refusals.delete(a);
    }
    return e;
  };
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(SYNC_PREFIX)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const addr = req.socket.remoteAddress ?? 'unknown';
    const seen = counter(addr, Date.now());
    if (seen.n >= MAX_REFUSED_UPGRADES_PER_MINUTE) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: 60\r\n\r\n');
      return;
    }
    let room: string;
    try {
      room = decodeURIComponent(path.slice(SYNC_PREFIX.length));
    } catch {
      room = '';
    }
    const auth = authenticateUpgrade(deps, req.headers, room);
    if (auth instanceof RelayRefusal) {
      seen.n++;
      deps.log.info({ room, code: auth.code, reason: auth.reason }, 'refused a sync connection');
    }
    wss.handleUpgrade(req, socket, head, (ws) => bindSyncSocket(ws, deps.relay, room, auth, deps.log));
  };
}
