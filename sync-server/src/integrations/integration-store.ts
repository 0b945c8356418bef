import { ulid } from '@firebreak/shared';
import type { Db } from '../db/types.ts';
import { notifierOf } from './registry.ts';
import type { SecretBox } from './secrets.ts';
import { INTEGRATION_KINDS, type IntegrationKind } from './types.ts';

/** Shown instead of a stored secret in every API answer; sending it back keeps the stored value. */
export const MASK = '••••••••';

export interface Integration {
  workspaceId: string;
  id: string;
  kind: IntegrationKind;
  name: string;
  /** Parsed and decrypted: only ever inside the server process. */
  config: Record<string, unknown>;
  /** `env`: from FIREBREAK_* variables (changed by changing them), else `settings`. */
  source: 'settings' | 'env';
  paused: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What the API shows: secrets masked (or null when unset). */
export interface IntegrationView extends Omit<Integration, 'config' | 'workspaceId'> {
  config: Record<string, unknown>;
  secretFields: string[];
}

interface Row {
  workspace_id: string;
  id: string;
  kind: string;
  name: string;
  config: string;
  secrets: Buffer | null;
  source: 'settings' | 'env';
  paused: number;
  created_at: string;
  updated_at: string;
}

export class IntegrationConfigError extends Error {
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }>
  ) {
    super(message);
  }
}

/**
 * Integration configurations per workspace, secrets sealed with the server key. Reads are cached
 * per workspace (the watcher asks on every incident change), invalidated on every write.
 */
export class IntegrationStore {
  private readonly cache = new Map<string, Integration[]>();
  private readonly listeners = new Set<(workspaceId: string) => void>();

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly now: () => Date = () => new Date()
  ) {}

  /** Called after any change of a workspace's integrations (the system document mirrors the list). */
  onChange(fn: (workspaceId: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  list(workspaceId: string): Integration[] {
    let found = this.cache.get(workspaceId);
    if (!found) {
      found = this.db
        .prepare<[string], Row>('SELECT * FROM integrations WHERE workspace_id = ? ORDER BY created_at, id')
        .all(workspaceId)
        .map((r) => this.fromRow(r));
      this.cache.set(workspaceId, found);
    }
    return found;
  }

  /** The ones that get new outbox rows: configured and not paused. */
  enabled(workspaceId: string): Integration[] {
    return this.list(workspaceId).filter((i) => !i.paused);
  }

  get(workspaceId: string, id: string): Integration | null {
    return this.list(workspaceId).find((i) => i.id === id) ?? null;
  }

  /** Every workspace's integrations of one kind (Slack's inbound requests find theirs by signature). */
  allOfKind(kind: IntegrationKind): Integration[] {
    return this.db
      .prepare<[string], Row>('SELECT * FROM integrations WHERE kind = ? ORDER BY workspace_id, created_at')
      .all(kind)
      .map((r) => this.fromRow(r));
  }

  create(
    workspaceId: string,
    kind: string,
    name: string | undefined,
    input: unknown,
    source: 'settings' | 'env' = 'settings',
    id = ulid()
  ): Integration {
    const notifier = notifierOf(kind);
    if (!notifier)
      throw new IntegrationConfigError(`Unknown integration ${kind}`, [
        { path: 'kind', message: `one of ${INTEGRATION_KINDS.join(', ')}` }
      ]);
    const config = parseConfig(kind as IntegrationKind, input);
    const at = this.now().toISOString();
    const { plain, sealed } = this.split(workspaceId, id, kind as IntegrationKind, config);
    this.db
      .prepare(
        `INSERT INTO integrations (workspace_id, id, kind, name, config, secrets, source, paused, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`
      )
      .run(workspaceId, id, kind, name?.trim() || notifier.label, plain, sealed, source, at, at);
    this.changed(workspaceId);
    return this.get(workspaceId, id)!;
  }

  /**
   * Changes name, pause state or configuration. In `config`, a secret field left out or sent back
   * as the mask keeps its stored value.
   */
  update(
    workspaceId: string,
    id: string,
    patch: { name?: string; paused?: boolean; config?: Record<string, unknown> }
  ): Integration | null {
    const current = this.get(workspaceId, id);
    if (!current) return null;
    let config = current.config;
    if (patch.config) {
      const notifier = notifierOf(current.kind)!;
      const merged: Record<string, unknown> = { ...current.config, ...patch.config };
      for (const f of notifier.secretFields) {
        if (!(f in patch.config) || patch.config[f] === MASK) merged[f] = current.config[f];
      }
      config = parseConfig(current.kind, merged);
    }
    const { plain, sealed } = this.split(workspaceId, id, current.kind, config);
    this.db
      .prepare(
        `UPDATE integrations SET name = ?, paused = ?, config = ?, secrets = ?, updated_at = ?
         WHERE workspace_id = ? AND id = ?`
      )
      .run(
        patch.name?.trim() || current.name,
        (patch.paused ?? current.paused) ? 1 : 0,
        plain,
        sealed,
        this.now().toISOString(),
        workspaceId,
        id
      );
    this.changed(workspaceId);
    return this.get(workspaceId, id);
  }

  remove(workspaceId: string, id: string): boolean {
    const done = this.db.prepare('DELETE FROM integrations WHERE workspace_id = ? AND id = ?').run(workspaceId, id);
    if (done.changes) this.changed(workspaceId);
    return done.changes > 0;
  }

  /**
   * Makes the env-configured integrations of a workspace match the environment: one per kind
   * whose required variables are set (id `env-<kind>`), updated when they change, removed when unset.
   */
  syncFromEnv(workspaceId: string, env: NodeJS.ProcessEnv): Integration[] {
    const out: Integration[] = [];
    for (const kind of INTEGRATION_KINDS) {
      const notifier = notifierOf(kind)!;
      const id = `env-${kind}`;
      const config = notifier.fromEnv(env) as Record<string, unknown> | null;
      const existing = this.get(workspaceId, id);
      if (!config) {
        if (existing) this.remove(workspaceId, id);
        continue;
      }
      if (!existing) out.push(this.create(workspaceId, kind, notifier.label, config, 'env', id));
      else if (JSON.stringify(existing.config) !== JSON.stringify(parseConfig(kind, config)))
        out.push(this.update(workspaceId, id, { config })!);
      else out.push(existing);
    }
    return out;
  }

  view(i: Integration): IntegrationView {
    const notifier = notifierOf(i.kind)!;
    const config: Record<string, unknown> = { ...i.config };
    for (const f of notifier.secretFields) {
      const v = config[f];
      const set = v !== undefined && v !== null && v !== '' && !(typeof v === 'object' && !Object.keys(v).length);
      config[f] = set ? MASK : null;
    }
    return {
      id: i.id,
      kind: i.kind,
      name: i.name,
      source: i.source,
      paused: i.paused,
      createdAt: i.createdAt,
      updatedAt: i.updatedAt,
      config,
      secretFields: [...notifier.secretFields]
    };
  }

  private split(workspaceId: string, id: string, kind: IntegrationKind, config: Record<string, unknown>) {
    const notifier = notifierOf(kind)!;
    const plain: Record<string, unknown> = {};
    const secret: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) {
      if ((notifier.secretFields as readonly string[]).includes(k)) secret[k] = v;
      else plain[k] = v;
    }
    return { plain: JSON.stringify(plain), sealed: this.box.seal(secret, `${workspaceId}/${id}`) };
  }

  private fromRow(r: Row): Integration {
    const secrets = r.secrets ? this.box.open(r.secrets, `${r.workspace_id}/${r.id}`) : {};
    return {
      workspaceId: r.workspace_id,
      id: r.id,
      kind: r.kind as IntegrationKind,
      name: r.name,
      config: { ...(JSON.parse(r.config) as Record<string, unknown>), ...secrets },
      source: r.source,
      paused: r.paused === 1,
      createdAt: r.created_at,
      updatedAt: r.updated_at
    };
  }

  private changed(workspaceId: string) {
    this.cache.delete(workspaceId);
    for (const fn of this.listeners) fn(workspaceId);
  }
}

/** The integration's zod schema over `input`, as a 400-worthy error naming each bad field. */
export function parseConfig(kind: IntegrationKind, input: unknown): Record<string, unknown> {
  const parsed = notifierOf(kind)!.configSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: ['config', ...i.path.map(String)].join('.'),
      message: i.message
    }));
    throw new IntegrationConfigError(`The ${kind} settings have ${issues.length} problem(s)`, issues);
  }
  return parsed.data as Record<string, unknown>;
}
