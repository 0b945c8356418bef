import { z } from 'zod';

/** Slack's Web API; tests point `apiUrl` at the fake in src/test/fakes/slack.ts. */
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api';

export const SlackConfigSchema = z.object({
  /** Bot token (`xoxb-…`) with channels:manage, channels:read, chat:write (groups:* for private channels). */
  botToken: z.string().trim().min(1, 'A bot token is required'),
  /** Verifies what Slack POSTs to Firebreak (buttons, `/firebreak`); inbound is off without it. */
  signingSecret: z.string().trim().min(1).optional(),
  apiUrl: z
    .string()
    .trim()
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'Must be an http(s) URL')
    .transform((u) => u.replace(/\/+$/, ''))
    .default(DEFAULT_SLACK_API_URL),
  /** Incident channels are created private (only invited people see them) instead of public. */
  private: z.boolean().default(false),
  /** Channel id (`C0123…`) or name (`#data-alerts`) that gets new warn/fail check results. */
  alertsChannel: z.string().trim().min(1).optional()
});
export type SlackConfig = z.infer<typeof SlackConfigSchema>;

export const SLACK_SECRET_FIELDS = ['botToken', 'signingSecret'] as const satisfies ReadonlyArray<keyof SlackConfig>;

/**
 * The Slack integration from FIREBREAK_SLACK_BOT_TOKEN (enables it), FIREBREAK_SLACK_SIGNING_SECRET
 * and FIREBREAK_SLACK_API_URL. Privacy and the alerts channel are set in Settings → Integrations.
 */
export function slackConfigFromEnv(env: NodeJS.ProcessEnv): SlackConfig | null {
  const botToken = env.FIREBREAK_SLACK_BOT_TOKEN?.trim();
  if (!botToken) return null;
  const parsed = SlackConfigSchema.safeParse({
    botToken,
    signingSecret: env.FIREBREAK_SLACK_SIGNING_SECRET?.trim() || undefined,
    apiUrl: env.FIREBREAK_SLACK_API_URL?.trim() || undefined
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable =
      issue.path[0] === 'apiUrl'
        ? 'FIREBREAK_SLACK_API_URL'
        : issue.path[0] === 'signingSecret'
          ? 'FIREBREAK_SLACK_SIGNING_SECRET'
          : 'FIREBREAK_SLACK_BOT_TOKEN';
    // Never echo the value: two of the three variables are secrets.
    throw new Error(`${variable}: ${issue.message}`);
  }
  return parsed.data;
}
