import { afterEach, describe, expect, it } from 'vitest';
import { createIncident, setStatus } from '@firebreak/shared';
import { connectWorkspace, join, tempDir, until } from '../test/harness.ts';
import { killed, spawnServer } from '../test/spawn.ts';
import { startFakeWebhook } from '../test/fakes/webhook.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('outbox durability', () => {
  it('[IN11] the server SIGKILLed mid-delivery retries the row after restart with the same idempotency key; nothing is lost', async () => {
    const hook = await startFakeWebhook({ secret: 'crash-secret' });
    cleanups.push(() => hook.close());
    const env = {
      FIREBREAK_EGRESS_ALLOW: '127.0.0.1',
      FIREBREAK_WEBHOOK_URL: hook.hookUrl,
      FIREBREAK_WEBHOOK_SECRET: 'crash-secret'
    };
    const dataDir = tempDir();
    const first = await spawnServer(dataDir, env);
    cleanups.push(() => first.proc.kill('SIGKILL'));
    const session = await join(first.url, first.bootstrapUrl!.split('/join/')[1]!);
    const client = connectWorkspace(first, session);
    await client.synced();

    // The receiver acts on the first delivery, then never answers: the server dies waiting.
    hook.hangNext(1, { apply: true });
    const id = createIncident(client.doc, { title: 'Killed mid-delivery', severity: 'critical' }, session.member.id);
    await until(() => hook.requests.length >= 1, 10_000, 'the first delivery to arrive');
    // Another event queued behind it (same incident, same integration: delivered in order).
    setStatus(client.doc, id, 'investigating', session.member.id);
    await new Promise((r) => setTimeout(r, 200));
    first.proc.kill('SIGKILL');
    await killed(first.proc);
    client.destroy();

    const second = await spawnServer(dataDir, env);
    cleanups.push(() => second.proc.kill('SIGKILL'));
    await until(() => hook.events('incidentUpdated').length >= 1, 15_000, 'the queued update after restart');
    const keys = [...hook.byIdempotencyKey().entries()];
    // Two events, two keys; the created one arrived twice (the receiver acted before the crash),
    // with the same key, so a receiver that dedupes by key acts once per event.
    expect(keys).toHaveLength(2);
    const created = hook.requests.filter((r) => r.json && (r.json as { event?: string }).event === 'incidentCreated');
    expect(created.length).toBe(2);
    expect(created[0]!.headers['idempotency-key']).toBe(created[1]!.headers['idempotency-key']);
    // In order: the update only after the created event was delivered.
    const order = hook.requests.map((r) => (r.json as { event?: string }).event);
    expect(order.lastIndexOf('incidentCreated')).toBeLessThan(order.indexOf('incidentUpdated'));
  });
});
