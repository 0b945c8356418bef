import { startFakeSlack, type FakeSlack } from './slack.ts';
import { startFakeTeams, type FakeTeams } from './teams.ts';
import { startFakeJira, type FakeJira } from './jira.ts';
import { startFakeServiceNow, type FakeServiceNow } from './servicenow.ts';
import { startFakeWebhook, type FakeWebhook } from './webhook.ts';

/** Secret the server verifies Slack's button presses with (tests sign with it as Slack would). */
export const SLACK_SIGNING_SECRET = 'test-slack-signing-secret';

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
