import { chromium } from '@playwright/test';
import { createIncident, integrationsList } from '@firebreak/shared';
import { startFakeSlack } from '../../sync-server/src/test/fakes/slack.ts';
import { startFakeWebhook } from '../../sync-server/src/test/fakes/webhook.ts';
import {
  connectClient,
  connectWorkspace,
  signIn,
  startTestServer,
  synced,
  until,
  wsBase,
  type Session
} from '../../sync-server/src/test/harness.ts';
import { CHROMIUM_ARGS } from '../playwright.config.ts';
import { FirebreakUser } from '../support/app.ts';
import { fixture, ingest, startServer } from '../support/server.ts';
import { latencySummary, median, type BenchResult } from './stats.ts';

const CHANGES = 50;
const WARMUP = 3;
/** FIREBREAK_BENCH_OUTBOX_ROWS changes the outbox bench's size (to see how the rate scales with the queue). */
const ROWS = Number(process.env.FIREBREAK_BENCH_OUTBOX_ROWS) || 2_000;

async function settled(count: () => number, quietMs = 150) {
  let last = count();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    await new Promise((r) => setTimeout(r, 10));
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/**
 * A person clicks a status in the browser; the server's Slack integration posts the change to
 * the (fake) Slack. From the click in the page (Date.now() just before it) to the fake's
 * timestamp of the first Web API call it caused: same machine, same clock.
 */
export async function benchSlackLatency(): Promise<BenchResult[]> {
  const slack = await startFakeSlack();
  const server = await startServer({
    env: {
      FIREBREAK_EGRESS_ALLOW: '127.0.0.1',
      FIREBREAK_SLACK_BOT_TOKEN: slack.token,
      FIREBREAK_SLACK_API_URL: slack.apiUrl
    }
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS
  });
  try {
    await ingest(server, fixture('soda-scan-orders.json'));
    const user = await FirebreakUser.open(browser, server, 'Bench', { link: server.bootstrapUrl! }).catch(
      // On a busy machine the first sign-in can outlast expect()'s 5 s outside the test runner.
      () => FirebreakUser.open(browser, server, 'Bench', { role: 'admin' })
    );
    await user.createIncident(/missing_count\(email\) = 0/, { title: 'Latency to Slack' });
    await until(() => slack.channels.size === 1 && slack.messages.length >= 1, 30_000, 'the channel and its card');
    await settled(() => slack.calls.length, 500);
    // Another member's client on the workspace room: when the relay has passed the browser's edit on.
    const cookie = (await user.context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const observer = connectClient(wsBase(server), 'default', { cookie } as Session);
    await synced(observer.provider);
    const updates: number[] = [];
    observer.doc.on('update', () => updates.push(Date.now()));
    const steps = ['Investigating', 'Fixing'] as const;
    const times: number[] = [];
    const relayed: number[] = [];
    for (let i = 0; i < WARMUP + CHANGES; i++) {
      const radio = await user.statusStep(steps[i % 2]!).elementHandle();
      const before = slack.calls.length;
      const clickedAt = await radio!.evaluate((el: HTMLElement) => {
        const t = Date.now();
        el.click();
        return t;
      });
      await until(() => slack.calls.length > before, 10_000, `the Slack call for change ${i}`);
      if (i >= WARMUP) {
        times.push(slack.calls[before]!.at.getTime() - clickedAt);
        const seen = updates.find((t) => t >= clickedAt);
        if (seen !== undefined) relayed.push(seen - clickedAt);
      }
      await settled(() => slack.calls.length);
    }
    observer.provider.destroy();
    const s = latencySummary(times);
    return [
      {
        name: 'status change in a browser → fake Slack receives the call',
        target: 'p99 < 100 ms',
        unit: 'ms',
        ...s,
        pass: s.p99 < 100,
        note: `headless Chromium clicks a status step (Date.now() before the click) → the fake Slack's timestamp of the first Web API call (${slack.calls
          .slice(-2)
          .map((c) => c.method)
          .join(
            ', '
          )}…); server process, Slack only, loopback, ${CHANGES} changes after ${WARMUP} warm-up; the edit reached another websocket client after a median ${median(relayed).toFixed(0)} ms (p99 ${latencySummary(relayed).p99.toFixed(0)} ms), the rest is watcher → outbox → HTTP`
      }
    ];
  } finally {
    await browser.close();
    await server.stop();
    await slack.close();
  }
}

/**
 * Outbox throughput: ROWS incidents created in one transaction through a real websocket client,
 * each one queued row for the one webhook integration (a fake answering 200 at once). Timed from
 * the rows' enqueue (the outbox's own notification) until the worker is idle with every row
 * delivered and the tiles written. The server runs in process (real SQLite, loopback HTTP).
 */
export async function benchOutboxThroughput(): Promise<BenchResult[]> {
  const hook = await startFakeWebhook({ secret: 'bench-secret' });
  const { server } = await startTestServer({
    egressAllow: ['127.0.0.1'],
    integrationEnv: { FIREBREAK_WEBHOOK_URL: hook.hookUrl, FIREBREAK_WEBHOOK_SECRET: 'bench-secret' }
  });
  try {
    const admin = await signIn(server, { role: 'admin', name: 'Bench' });
    const client = connectWorkspace(server, admin);
    await client.synced();
    await until(() => integrationsList(client.sys).length === 1, 10_000, 'the webhook published');
    let enqueuedAt: number | null = null;
    server.outbox.onEnqueue(() => (enqueuedAt ??= performance.now()));
    const sentAt = performance.now();
    client.doc.transact(() => {
      for (let i = 0; i < ROWS; i++)
        createIncident(client.doc, { title: `Throughput ${i}`, severity: 'minor' }, admin.member.id);
    });
    await until(() => enqueuedAt !== null, 120_000, 'the rows enqueued');
    const start = enqueuedAt!;
    const cpu0 = process.cpuUsage();
    await until(() => server.outbox.counts().delivered >= ROWS, 600_000, 'every row delivered');
    await server.worker.idle();
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const counts = server.outbox.counts();
    if (counts.delivered !== ROWS || counts.dead) throw new Error(`outbox ended as ${JSON.stringify(counts)}`);
    const rate = (ROWS / ms) * 1000;
    client.destroy();
    const keys = hook.byIdempotencyKey();
    return [
      {
        name: 'outbox throughput to a fast fake webhook',
        target: '≥ 500/s',
        unit: '/s',
        runs: 1,
        median: rate,
        min: rate,
        max: rate,
        pass: rate >= 500,
        note: `${ROWS} incidentCreated rows (one per incident, enqueued ${(start - sentAt).toFixed(0)} ms after the client's transaction) → all delivered in ${ms.toFixed(0)} ms; the fake got ${hook.deliveries.length} signed bodies, ${keys.size} idempotency keys; this process used ${cpuMs.toFixed(0)} ms of CPU meanwhile (${((cpuMs / ms) * 100).toFixed(0)}% of a core; server and fake share it); in-process server, real SQLite, loopback HTTP`
      }
    ];
  } finally {
    await server.close();
    await hook.close();
  }
}
