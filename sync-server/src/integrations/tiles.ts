import {
  incidentLinks,
  linksMap,
  SERVER,
  setIntegrationsList,
  systemRoomName,
  type IntegrationLink
} from '@firebreak/shared';
import type { Logger } from 'pino';
import type * as Y from 'yjs';
import type { Relay } from '../relay/relay.ts';
import type { Integration, IntegrationStore } from './integration-store.ts';

export type LinkPatch = Partial<IntegrationLink> & Pick<IntegrationLink, 'state'>;

/**
 * The Integrations tile of each incident, in the workspace's system document: what the outbox
 * worker reports (pending, delivered, retrying, failed, the link) is queued and written once per
 * turn, one system-document transaction per workspace; links receivers add are written at once.
 */
export class TileWriter {
  /** Changes waiting to be written: workspace → incident → integration id → patch. */
  private tiles = new Map<string, Map<string, Map<string, { integration: Integration; patch: LinkPatch }>>>();
  private queued = false;
  private written: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: { relay: Relay; integrations: IntegrationStore; log: Logger; clock: () => number }
  ) {}

  /** Queues a tile change; `onlyIfNew` applies it only when the incident has no entry for it yet. */
  set(workspaceId: string, incidentId: string, integration: Integration, patch: LinkPatch, onlyIfNew = false) {
    let byIncident = this.tiles.get(workspaceId);
    if (!byIncident) this.tiles.set(workspaceId, (byIncident = new Map()));
    let byIntegration = byIncident.get(incidentId);
    if (!byIntegration) byIncident.set(incidentId, (byIntegration = new Map()));
    const prev = byIntegration.get(integration.id);
    if (onlyIfNew) {
      if (prev) return;
      byIntegration.set(integration.id, { integration, patch: { ...patch, onlyIfNew: true } as LinkPatch });
    } else
      byIntegration.set(integration.id, {
        integration,
        patch: { ...prev?.patch, ...patch, onlyIfNew: false } as LinkPatch
      });
    this.queue();
  }

  /** A link a receiver added (webhook reply or callback), shown beside the integration's entry. */
  async addExtraLink(
    workspaceId: string,
    incidentId: string,
    integration: Integration,
    link: { name: string; url: string }
  ) {
    const sys = await this.deps.relay.getRoom(systemRoomName(workspaceId));
    const at = new Date(this.deps.clock()).toISOString();
    const map = linksMap(sys.doc);
    const list = incidentLinks(sys.doc, incidentId);
    const entry: IntegrationLink = {
      integration: integration.kind,
      integrationId: integration.id,
      name: link.name,
      url: link.url,
      state: 'delivered',
      extra: true,
      updatedAt: at
    };
    const i = list.findIndex((l) => l.extra && l.integrationId === integration.id && l.url === link.url);
    if (i >= 0 && list[i]!.name === link.name) return;
    if (i >= 0) list[i] = entry;
    else list.push(entry);
    sys.doc.transact(() => map.set(incidentId, list), SERVER);
  }

  private queue() {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.written = this.written
        .then(() => this.write())
        .catch((err) => {
          this.deps.log.error({ err }, 'outbox: could not update the Integrations tiles');
        });
    });
  }

  async flush(): Promise<void> {
    if (this.queued || this.tiles.size) {
      this.queued = false;
      this.written = this.written.then(() => this.write());
    }
    await this.written;
  }

  private async write(): Promise<void> {
    const pending = this.tiles;
    this.tiles = new Map();
    for (const [workspaceId, byIncident] of pending) {
      const sys = await this.deps.relay.getRoom(systemRoomName(workspaceId));
      const at = new Date(this.deps.clock()).toISOString();
      sys.doc.transact(() => {
        for (const [incidentId, byIntegration] of byIncident) writeIncidentTile(sys.doc, incidentId, byIntegration, at);
      }, SERVER);
    }
  }

  /** Mirrors a workspace's integrations (names and pause state, no configuration) into its system document. */
  async publishIntegrations(workspaceId: string): Promise<void> {
    const sys = await this.deps.relay.getRoom(systemRoomName(workspaceId));
    const list = this.deps.integrations
      .list(workspaceId)
      .map((i) => ({ id: i.id, integration: i.kind, name: i.name, paused: i.paused }));
    setIntegrationsList(sys.doc, list);
  }
}

function writeIncidentTile(
  sys: Y.Doc,
  incidentId: string,
  changes: Map<string, { integration: Integration; patch: LinkPatch }>,
  at: string
) {
  const list = incidentLinks(sys, incidentId);
  let changed = false;
  for (const [integrationId, { integration, patch }] of changes) {
    const { onlyIfNew, ...fields } = patch as LinkPatch & { onlyIfNew?: boolean };
    const i = list.findIndex((l) => !l.extra && (l.integrationId ?? l.integration) === integrationId);
    if (i >= 0 && onlyIfNew) continue;
    const prev: IntegrationLink =
      i >= 0
        ? list[i]!
        : {
            integration: integration.kind,
            integrationId,
            name: integration.name,
            url: null,
            state: 'pending',
            updatedAt: at
          };
    const next: IntegrationLink = { ...prev, ...fields, integration: integration.kind, integrationId, updatedAt: at };
    if (i >= 0) list[i] = next;
    else list.push(next);
    changed = true;
  }
  if (changed) linksMap(sys).set(incidentId, list);
}
