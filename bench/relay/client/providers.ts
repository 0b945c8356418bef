import * as Y from 'yjs';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import type { Target } from '../lib/messages.ts';

/** One real provider client: the one each server is meant to be used with. */
export interface Replica {
  readonly doc: Y.Doc;
  readonly room: string;
  synced(): Promise<void>;
  destroy(): void;
}

/** Reconnects stay quick so a restarted server is found fast; the tests never rely on them. */
const MAX_BACKOFF_MS = 500;

/** Hears every frame a replica's socket receives, before its provider handles it. */
export type FrameTap = (frame: Uint8Array) => void;

export function openReplica(target: Target, room: string, doc = new Y.Doc(), tap?: FrameTap): Replica {
  const base = `ws://127.0.0.1:${target.port}`;
  const Socket = tap ? tapped(tap) : WebSocket;
  if (target.kind === 'hocuspocus') return hocuspocus(base, room, doc, Socket);
  // Our relay serves rooms under /sync/<room>; y-websocket-server at /<room>.
  return yWebsocket(target.kind === 'firebreak' ? `${base}/sync` : base, room, doc, Socket);
}

/** `ws` with a first 'message' listener (the providers add theirs after construction). */
function tapped(tap: FrameTap): typeof WebSocket {
  class TappedWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols);
      this.on('message', (data: WebSocket.RawData) => {
        if (data instanceof ArrayBuffer) tap(new Uint8Array(data));
        else if (Array.isArray(data)) tap(new Uint8Array(Buffer.concat(data)));
        else tap(data);
      });
    }
  }
  return TappedWebSocket as typeof WebSocket;
}

function yWebsocket(url: string, room: string, doc: Y.Doc, Socket: typeof WebSocket): Replica {
  const provider = new WebsocketProvider(url, room, doc, {
    WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    maxBackoffTime: MAX_BACKOFF_MS
  });
  return {
    doc,
    room,
    synced: () =>
      provider.synced
        ? Promise.resolve()
        : new Promise((resolve) => {
            const on = (s: boolean) => {
              if (!s) return;
              provider.off('sync', on);
              resolve();
            };
            provider.on('sync', on);
          }),
    destroy: () => provider.destroy()
  };
}

function hocuspocus(url: string, room: string, doc: Y.Doc, Socket: typeof WebSocket): Replica {
  // One socket per provider, as `new HocuspocusProvider({ url })` makes; built here to pass `ws`.
  const socket = new HocuspocusProviderWebsocket({ url, WebSocketPolyfill: Socket, maxDelay: MAX_BACKOFF_MS });
  const provider = new HocuspocusProvider({ websocketProvider: socket, name: room, document: doc });
  provider.attach();
  return {
    doc,
    room,
    synced: () =>
      provider.isSynced
        ? Promise.resolve()
        : new Promise((resolve) => {
            const on = ({ state }: { state: boolean }) => {
              if (!state) return;
              provider.off('synced', on);
              resolve();
            };
            provider.on('synced', on);
          }),
    destroy: () => {
      provider.destroy();
      socket.destroy();
    }
  };
}
