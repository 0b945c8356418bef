import { z } from 'zod';
import type { Db } from '../db/open.ts';

/** Workspace ids name rooms (`<id>` and `<id>.system`) and URLs (`/w/<id>`): no dots, no slashes. */
export const WorkspaceIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'Use 1-63 lowercase letters, digits, - or _, starting with a letter or digit');
export const WorkspaceNameSchema = z.string().trim().min(1, 'Enter a name').max(120);

export interface Workspace {
  id: string;
  name: string;
  createdAt: string;
}

interface Row {
  id: string;
  name: string;
  created_at: string;
}
const toWorkspace = (r: Row): Workspace => ({ id: r.id, name: r.name, createdAt: r.created_at });

export class WorkspaceExistsError extends Error {}

export class WorkspaceStore {
  private readonly s;

  constructor(db: Db) {
    this.s = {
      insert: db.prepare('INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)'),
      get: db.prepare<[string], Row>('SELECT id, name, created_at FROM workspaces WHERE id = ?'),
      all: db.prepare<[], Row>('SELECT id, name, created_at FROM workspaces ORDER BY created_at, id'),
      rename: db.prepare('UPDATE workspaces SET name = ? WHERE id = ?')
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
}
