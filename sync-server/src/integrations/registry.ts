import type { z } from 'zod';
import { jiraNotifier } from './jira/index.ts';
import { serviceNowNotifier } from './servicenow/index.ts';
import { slackNotifier } from './slack/index.ts';
import { teamsNotifier } from './teams/index.ts';
import { webhookNotifier } from './webhook/index.ts';
import type { IntegrationKind, Notifier } from './types.ts';

/** Every notifier by kind: the outbox worker, the settings API and the env loader look them up here. */
export const NOTIFIERS: Record<IntegrationKind, Notifier<any>> = {
  slack: slackNotifier,
  teams: teamsNotifier,
  jira: jiraNotifier,
  servicenow: serviceNowNotifier,
  webhook: webhookNotifier
};

export function notifierOf(kind: string): Notifier<any> | null {
  return Object.hasOwn(NOTIFIERS, kind) ? NOTIFIERS[kind as IntegrationKind] : null;
}

/**
 * Whether an integration hears about new warn/fail check results (one `checkEvaluation` per
 * ingest): webhooks always (Soda sends them), Slack only with an alerts channel.
 */
export function wantsCheckEvaluations(kind: IntegrationKind, config: unknown): boolean {
  if (kind === 'webhook') return true;
  if (kind === 'slack') return !!(config as { alertsChannel?: string }).alertsChannel;
  return false;
}

export type ConfigOf<K extends IntegrationKind> = z.infer<(typeof NOTIFIERS)[K]['configSchema']>;
