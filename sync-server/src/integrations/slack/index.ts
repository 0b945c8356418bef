/** The Slack integration: what the integrator wires (outbox notifier, inbound route, config). */
export { createSlackNotifier, slackNotifier, readSlackRef, type SlackRef } from './notifier.ts';
export { SlackConfigSchema, slackConfigFromEnv, type SlackConfig } from './config.ts';
export { verifySlackSignature, signSlackRequest, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signing.ts';
export * from './inbound.ts';
