import type { Integration, IntegrationLink, IntegrationSummary } from '@firebreak/shared';

export const INTEGRATION_LABEL: Record<Integration, string> = {
  slack: 'Slack',
  teams: 'Microsoft Teams',
  jira: 'Jira',
  servicenow: 'ServiceNow',
  webhook: 'Webhook'
};

/** One row of the Integrations tile: a configured integration and what it did for the incident. */
export interface TileEntry {
  key: string;
  name: string;
  kindLabel: string;
  paused: boolean;
  /** Its own entry (channel, issue, record…), absent until the server has queued something. */
  link: IntegrationLink | null;
  /** Links a receiver added (webhook reply or callback). */
  extras: IntegrationLink[];
}

const owner = (l: IntegrationLink) => l.integrationId ?? `kind:${l.integration}`;

/**
 * Every configured integration in the server's order, each with its entry for the incident;
 * entries of integrations no longer configured follow, so nothing the incident had disappears.
 */
export function tileEntries(
  integrations: readonly IntegrationSummary[],
  links: readonly IntegrationLink[]
): TileEntry[] {
  const out: TileEntry[] = [];
  const byKey = new Map<string, TileEntry>();
  for (const i of integrations) {
    const e: TileEntry = {
      key: i.id,
      name: i.name,
      kindLabel: INTEGRATION_LABEL[i.integration],
      paused: i.paused,
      link: null,
      extras: []
    };
    out.push(e);
    byKey.set(i.id, e);
  }
  const find = (l: IntegrationLink): TileEntry => {
    const direct = byKey.get(owner(l));
    if (direct) return direct;
    // Written before links named their integration: the only one of that kind.
    const sameKind = integrations.filter((i) => i.integration === l.integration);
    if (!l.integrationId && sameKind.length === 1) return byKey.get(sameKind[0]!.id)!;
    const e: TileEntry = {
      key: owner(l),
      name: INTEGRATION_LABEL[l.integration],
      kindLabel: INTEGRATION_LABEL[l.integration],
      paused: false,
      link: null,
      extras: []
    };
    out.push(e);
    byKey.set(e.key, e);
    return e;
  };
  for (const l of links) {
    const e = find(l);
    if (l.extra) e.extras.push(l);
    else e.link = l;
  }
  return out;
}

/** When a retry happens, to the second while it is near: "in 12 s", "now", else minutes and up. */
export function retryWhen(at: string, now: number, coarse: (at: string, now: number) => string): string {
  const ms = Date.parse(at) - now;
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return 'now';
  if (ms < 60_000) return `in ${Math.ceil(ms / 1000)} s`;
  return coarse(at, now);
}
