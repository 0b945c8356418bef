/**
 * The client process: every provider of a run lives here, in one process pinned to its own core,
 * so delivery latencies are measured on one clock. It does what run.ts asks over IPC.
 */
import type { ClientEnvelope, ClientRequest, ClientResponse } from '../lib/messages.ts';
import * as coldjoin from './coldjoin.ts';
import { connectMany } from './connect.ts';
import * as fanout from './fanout.ts';

// y-websocket's provider adds a process 'exit' listener per instance; hundreds are intended here.
process.setMaxListeners(0);

function handle(req: ClientRequest): Promise<unknown> | unknown {
  switch (req.op) {
    case 'fanout.open':
      return fanout.open(req.target, req.rooms, req.perRoom);
    case 'fanout.step':
      return fanout.step(req.rate, req.durationMs, req.drainMs);
    case 'fanout.verify':
      return fanout.verify(req.waitMs);
    case 'fanout.startWriting':
      return fanout.startWriting(req.rate);
    case 'fanout.abandon':
      return fanout.abandon();
    case 'fanout.recheck':
      return fanout.recheck(req.target, req.waitMs);
    case 'connect':
      return connectMany(req.target, req.clients);
    case 'coldjoin.seed':
      return coldjoin.seed(req.target, req.room, req.incidents);
    case 'coldjoin.join':
      return coldjoin.join(req.target, req.room, req.incidents, req.waitMs);
  }
}

process.on('message', (msg: ClientEnvelope) => {
  void (async () => {
    let res: ClientResponse;
    try {
      res = { id: msg.id, ok: true, result: (await handle(msg.req)) ?? null };
    } catch (err) {
      res = { id: msg.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    process.send!(res);
  })();
});
process.send!({ type: 'ready' });
// The harness going away ends the run.
process.on('disconnect', () => process.exit(0));
