import { describe, expect, it } from 'vitest';
import { DEFAULT_SLACK_API_URL, SlackConfigSchema, slackConfigFromEnv } from './config.ts';
import { slackNotifier } from './notifier.ts';

describe('Slack config', () => {
  it('[SL15] is enabled by FIREBREAK_SLACK_BOT_TOKEN, with the signing secret and API URL beside it', () => {
    expect(slackConfigFromEnv({})).toBeNull();
    expect(slackConfigFromEnv({ FIREBREAK_SLACK_BOT_TOKEN: '  ', FIREBREAK_SLACK_SIGNING_SECRET: 's' })).toBeNull();
    expect(slackConfigFromEnv({ FIREBREAK_SLACK_BOT_TOKEN: 'xoxb-1' })).toEqual({
      botToken: 'xoxb-1',
      apiUrl: DEFAULT_SLACK_API_URL,
      private: false
    });
    expect(
      slackConfigFromEnv({
        FIREBREAK_SLACK_BOT_TOKEN: 'xoxb-1',
        FIREBREAK_SLACK_SIGNING_SECRET: 'sec',
        FIREBREAK_SLACK_API_URL: 'http://127.0.0.1:9999/api/'
      })
    ).toEqual({ botToken: 'xoxb-1', signingSecret: 'sec', apiUrl: 'http://127.0.0.1:9999/api', private: false });
  });

  it('[SL15] a bad variable is named, its value is not repeated', () => {
    expect(() =>
      slackConfigFromEnv({ FIREBREAK_SLACK_BOT_TOKEN: 'xoxb-secret', FIREBREAK_SLACK_API_URL: 'ftp://xoxb-secret' })
    ).toThrow(/^FIREBREAK_SLACK_API_URL: (?!.*xoxb)/);
  });

  it('[SL15] the schema fills defaults and marks the secrets', () => {
    expect(SlackConfigSchema.parse({ botToken: 'xoxb-1', private: true, alertsChannel: '#alerts' })).toEqual({
      botToken: 'xoxb-1',
      apiUrl: DEFAULT_SLACK_API_URL,
      private: true,
      alertsChannel: '#alerts'
    });
    expect(SlackConfigSchema.safeParse({ botToken: '' }).success).toBe(false);
    expect(slackNotifier.secretFields).toEqual(['botToken', 'signingSecret']);
    expect(slackNotifier.fromEnv({ FIREBREAK_SLACK_BOT_TOKEN: 'xoxb-1' })?.botToken).toBe('xoxb-1');
  });
});
