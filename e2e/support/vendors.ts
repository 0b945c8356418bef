export { clickButton, buttonsOf } from '../../sync-server/src/test/fakes/slack.ts';
export { startFakeWebhook, type FakeWebhook } from '../../sync-server/src/test/fakes/webhook.ts';
export {
  SLACK_SIGNING_SECRET,
  startVendors,
  vendorEnv,
  type Vendors
} from '../../sync-server/src/test/fakes/vendors.ts';

/** Polls `fn` (in the test process, e.g. a fake's records) until it returns something truthy. */
export async function until<T>(fn: () => T | null | undefined | false, ms: number, what: string): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
