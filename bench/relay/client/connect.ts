import type { ConnectResult, Target } from '../lib/messages.ts';
import { percentiles } from '../lib/stats.ts';
import { now, withTimeout } from './clock.ts';
import { openReplica } from './providers.ts';

const CONNECT_TIMEOUT_MS = 120_000;

/** `clients` providers, each to its own empty room, all opened at once. */
export async function connectMany(target: Target, clients: number): Promise<ConnectResult> {
  const t0 = now();
  const replicas = Array.from({ length: clients }, (_, i) => openReplica(target, `connect-${i}`));
  const times = await withTimeout(
    Promise.all(replicas.map((r) => r.synced().then(() => now() - t0))),
    CONNECT_TIMEOUT_MS,
    `${clients} clients to sync`
  );
  const allSyncedMs = now() - t0;
  for (const r of replicas) r.destroy();
  return { clients, allSyncedMs, perClientMs: percentiles(times) };
}
