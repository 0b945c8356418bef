import { startFakeSlack, type FakeSlack } from '../../sync-server/src/test/fakes/slack.ts';
import { startFakeTeams, type FakeTeams } from '../../sync-server/src/test/fakes/teams.ts';
import { startFakeJira, type FakeJira } from '../../sync-server/src/test/fakes/jira.ts';
import { startFakeServiceNow, type FakeServiceNow } from '../../sync-server/src/test/fakes/servicenow.ts';
import { startFakeWebhook, type FakeWebhook } from '../../sync-server/src/test/fakes/webhook.ts';

export { clickButton, buttonsOf } from '../../sync-server/src/test/fakes/slack.ts';
export { startFakeWebhook, type FakeWebhook };

/** Secret the server verifies Slack's button presses with (the fake signs with it). */
export const SLACK_SIGNING_SECRET = 'e2e-slack-signing-secret';

/** The five fake vendors (real HTTP on loopback) the server's integrations talk to. */
export interface Vendors {
  slack: FakeSlack;
  teams: FakeTeams;
  jira: FakeJira;
  sn: FakeServiceNow;
  hook: FakeWebhook;
  close(): Promise<void>;
}

export async function startVendors(): Promise<Vendors> {
  const [slack, teams, jira, sn, hook] = await Promise.all([
    startFakeSlack(),
    startFakeTeams(),
    startFakeJira(),
    startFakeServiceNow(),
    startFakeWebhook()
  ]);
  return {
    slack,
    teams,
    jira,
    sn,
    hook,
    async close() {
      await Promise.all([slack, teams, jira, sn, hook].map((f) => f.close()));
    }
  };
}

/** The FIREBREAK_* variables that configure every integration of the default workspace at the fakes. */
export function vendorEnv(v: Omit<Vendors, 'close'>): NodeJS.ProcessEnv {
  return {
    FIREBREAK_EGRESS_ALLOW: '127.0.0.1',
    FIREBREAK_SLACK_BOT_TOKEN: v.slack.token,
    FIREBREAK_SLACK_SIGNING_SECRET: SLACK_SIGNING_SECRET,
    FIREBREAK_SLACK_API_URL: v.slack.apiUrl,
    FIREBREAK_TEAMS_WEBHOOK_URL: v.teams.webhookUrl,
    FIREBREAK_TEAMS_CHANNEL_URL: v.teams.channelUrl,
    FIREBREAK_JIRA_URL: v.jira.url,
    FIREBREAK_JIRA_EMAIL: v.jira.email,
    FIREBREAK_JIRA_API_TOKEN: v.jira.apiToken,
    FIREBREAK_JIRA_PROJECT: 'OPS',
    FIREBREAK_SERVICENOW_URL: v.sn.url,
    FIREBREAK_SERVICENOW_USER: v.sn.user,
    FIREBREAK_SERVICENOW_PASSWORD: v.sn.password,
    FIREBREAK_WEBHOOK_URL: v.hook.hookUrl,
    FIREBREAK_WEBHOOK_SECRET: v.hook.secret!
  };
}

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
