import { z } from 'zod';
import type { Db } from '../db/open.ts';

/** Workspace ids name rooms (`<id>` and `<id>.system`) and URLs (`/w/<id>`): no dots, no slashes. */
export const WorkspaceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'Use 1-63 lowercase letters, digits, - or _, starting with a letter or digit');
export const WorkspaceNameSchema = z.string().trim().min(1, 'Enter a name').max(120);

/** What a workspace's admins decide about the server's bookkeeping. */
export const WorkspaceSettingsSchema = z.object({
  /** New warn/fail results of a check linked to an open incident are linked to it. */
  autoLink: z.boolean().default(true),
  /** Resolve an open incident after this many consecutive scans in which all its checks passed; null: never. */
  autoResolveAfterScans: z.number().int().min(1).max(100).nullable().default(null)
});
export type WorkspaceSettings = z.infer<typeof WorkspaceSettingsSchema>;

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
  settings: WorkspaceSettings;
}

interface Row {
  id: string;
  name: string;
  created_at: string;
  settings: string;
}

function readSettings(text: string): WorkspaceSettings {
  let raw: unknown = {};
  try {
    raw = JSON.parse(text);
  } catch {
    // an unreadable value falls back to the defaults
  }
  const parsed = WorkspaceSettingsSchema.safeParse(raw);
  return parsed.success ? parsed.data : WorkspaceSettingsSchema.parse({});
}

const toWorkspace = (r: Row): Workspace => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  settings: readSettings(r.settings)
});

export class WorkspaceExistsError extends Error {}

export class WorkspaceStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      insert: db.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)'),
      get: db.prepare<[string], Row>('SELECT id, name, created_at, settings FROM workspaces WHERE id = ?'),
      all: db.prepare<[], Row>('SELECT id, name, created_at, settings FROM workspaces ORDER BY created_at, id'),
      rename: db.prepare('UPDATE workspaces SET name = ? WHERE id = ?'),
      setSettings: db.prepare('UPDATE workspaces SET settings = ? WHERE id = ?')
    };
  }

  create(id: string, name: string, now = new Date()): Workspace {
    const validId = WorkspaceIdSchema.parse(id);
    const validName = WorkspaceNameSchema.parse(name);
    if (this.get(validId)) throw new WorkspaceExistsError(`A workspace "${validId}" already exists`);
    this.s.insert.run(validId, validName, now.toISOString());
    return this.get(validId)!;
  }

  get(id: string): Workspace | null {
    const r = this.s.get.get(id);
    return r ? toWorkspace(r) : null;
  }

  list(): Workspace[] {
    return this.s.all.all().map(toWorkspace);
  }

  rename(id: string, name: string): void {
    this.s.rename.run(WorkspaceNameSchema.parse(name), id);
  }

  /** Merges `patch` into the workspace's settings and returns the result. */
  updateSettings(id: string, patch: Partial<WorkspaceSettings>): WorkspaceSettings {
    const current = this.get(id)?.settings ?? WorkspaceSettingsSchema.parse({});
    const next = WorkspaceSettingsSchema.parse({ ...current, ...patch });
    this.s.setSettings.run(JSON.stringify(next), id);
    return next;
  }
}
