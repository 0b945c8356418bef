import type { z } from 'zod';
import type { IncidentEvent, Outcome, Severity, Status } from '@firebreak/shared';

/**
 * The contract between the outbox worker and the notifiers (one module per integration). The
 * watcher turns incident changes into `IncidentEvent`s (shared/src/incident/events.ts); the outbox
 * stores one row per event and enabled integration; at delivery time the worker enriches the row
 * into a `NotifyEvent` (current number, people, check results, links) and hands it to the
 * integration's notifier with a `NotifierContext`. Notifiers do HTTP only through `ctx.fetch`
 * (timeouts, egress policy) and report failures by throwing `DeliveryError`.
 */

export type IntegrationKind = 'slack' | 'teams' | 'jira' | 'servicenow' | 'webhook';
export const INTEGRATION_KINDS = ['slack', 'teams', 'jira', 'servicenow', 'webhook'] as const;

export interface Person {
  id: string;
  name: string;
  email: string;
}

/** A check result as integrations show it (Soda's webhook `checkResults[]` is built from this). */
export interface CheckResultView {
  id: string;
  checkId: string;
  name: string;
  definition: string | null;
  /** `datasource/table` */
  dataset: string;
  dataSource: string;
  table: string | null;
  column: string | null;
  outcome: Outcome | null;
  dataTimestamp: string;
  value: number | null;
  valueText: string | null;
  diagnostics: Record<string, unknown> | null;
  /** The check's page in Firebreak. */
  url: string;
}

/** An incident as integrations show it, as of delivery time. */
export interface IncidentView {
  id: string;
  /** Server-assigned number, null while not numbered yet. */
  number: number | null;
  /** `INC-12`, or `INC-?` before a number is assigned. */
  key: string;
  title: string;
  description: string;
  severity: Severity;
  status: Status;
  createdAt: string;
  updatedAt: string;
  resolvedAt: string | null;
  resolutionNotes: string;
  /** Why it was resolved (Fixed, False positive, …) when resolved with a reason. */
  resolutionReason: string | null;
  /** The incident's page in Firebreak. */
  url: string;
  lead: Person | null;
  reporter: Person | null;
  checkResults: CheckResultView[];
  /** Links other integrations already wrote back (Slack channel, Jira issue…). */
  links: Array<{ integration: IntegrationKind; name: string; url: string | null }>;
}

/** What one outbox row asks a notifier to do. */
export type NotifyEvent =
  | {
      type: 'incident';
      /** The change, as the watcher derived it (kind and from/to). */
      change: IncidentEvent;
      /** When the change was observed by the server. */
      at: string;
      incident: IncidentView;
    }
  | {
      /** New warn/fail results of one ingest (Slack alerts channel, webhook `checkEvaluation`). */
      type: 'checkEvaluation';
      at: string;
      checkResults: CheckResultView[];
    };

/** Egress-guarded fetch: 10 s timeout, no redirects to another host, private addresses refused. */
export type SafeFetch = (url: string, init?: SafeFetchInit) => Promise<Response>;
export interface SafeFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Overrides the default 10 s timeout. */
  timeoutMs?: number;
}

export interface NotifierContext<C> {
  /** The integration's parsed (and decrypted) configuration. */
  config: C;
  fetch: SafeFetch;
  /**
   * What earlier deliveries of this integration for this incident saved (Slack channel id, Jira
   * issue key, ServiceNow sys_id…), or null before the first.
   */
  ref: Record<string, unknown> | null;
  /** Persists `ref` at once (e.g. right after a channel was created, before the next call). */
  saveRef(ref: Record<string, unknown>): void;
  /** Stable per (event, integration); send it where the vendor accepts one. */
  idempotencyKey: string;
  /** 1 on the first try. */
  attempt: number;
  /** When this row was first tried (ISO), for adopting something a crashed earlier try made. */
  firstAttemptAt: string;
  /** Capability URL a webhook receiver may POST `{url, text}` to, adding a link to the incident. */
  linkCallbackUrl: string | null;
  /** Base URL of this Firebreak server (PUBLIC_URL). */
  publicUrl: string;
  now(): Date;
}

export interface DeliveryResult {
  /** The link to show in the incident's Integrations tile (channel, issue, record), if any. */
  link?: { name: string; url: string | null } | null;
  /** Extra links a receiver answered with (webhook `{"link": {"url", "text"}}`). */
  extraLinks?: Array<{ name: string; url: string }>;
}

/**
 * A failed delivery. `retriable` decides between backoff and dead-lettering: 5xx, 408, 429,
 * timeouts and network errors are retriable; other 4xx (and Slack `ok:false` errors other than
 * rate limits and server errors) are permanent.
 */
export class DeliveryError extends Error {
  readonly retriable: boolean;
  /** From a 429's `Retry-After` (or Slack's), in milliseconds. */
  readonly retryAfterMs: number | null;
  readonly status: number | null;
  constructor(message: string, opts: { retriable: boolean; retryAfterMs?: number | null; status?: number | null }) {
    super(message);
    this.name = 'DeliveryError';
    this.retriable = opts.retriable;
    this.retryAfterMs = opts.retryAfterMs ?? null;
    this.status = opts.status ?? null;
  }
}

export interface Notifier<C = unknown> {
  kind: IntegrationKind;
  /** Shown in Settings → Integrations. */
  label: string;
  configSchema: z.ZodType<C>;
  /** Config keys that hold secrets: encrypted at rest, masked in every API answer, never logged. */
  secretFields: ReadonlyArray<keyof C & string>;
  /** The config from the documented FIREBREAK_* variables, or null when its required ones are unset. */
  fromEnv(env: NodeJS.ProcessEnv): C | null;
  /** Delivers one event; throws DeliveryError on failure. */
  deliver(event: NotifyEvent, ctx: NotifierContext<C>): Promise<DeliveryResult>;
  /** "Send a test": a test message, `validate`, or a harmless authenticated read. */
  test(ctx: NotifierContext<C>): Promise<{ message: string }>;
}
