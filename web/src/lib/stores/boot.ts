import { Catalog } from './catalog.svelte.ts';
import { Workspace } from './workspace.svelte.ts';

export interface Stores {
  workspace: Workspace;
  catalog: Catalog;
}

let early: (Stores & { workspaceId: string }) | null = null;

/** The workspace in a path like `/w/<id>/…`, or null. */
export function workspaceOfPath(pathname: string): string | null {
  const m = /^\/w\/([^/]+)/.exec(pathname);
  return m ? decodeURIComponent(m[1]!) : null;
}

/**
 * Creates the stores of the workspace in the URL while the framework is still booting, so their
 * IndexedDB reads (the first thing either dashboard waits for) overlap the JavaScript start-up
 * instead of following it. Called from the root `+layout.ts` as it is evaluated.
 */
export function prestart(): void {
  if (typeof indexedDB === 'undefined') return;
  const workspaceId = workspaceOfPath(location.pathname);
  if (workspaceId && !early)
    early = { workspaceId, workspace: new Workspace(workspaceId), catalog: new Catalog(workspaceId) };
}

/** The stores for a workspace: the ones `prestart` made if they match, else new ones. */
export function takeStores(workspaceId: string): Stores {
  const pre = early;
  early = null;
  if (pre?.workspaceId === workspaceId) return pre;
  if (pre) {
    pre.catalog.stop();
    pre.workspace.destroy();
  }
  return { workspace: new Workspace(workspaceId), catalog: new Catalog(workspaceId) };
}
