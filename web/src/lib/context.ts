import { createContext } from 'svelte';
import type { Workspace } from './stores/workspace.svelte.ts';
import type { Catalog } from './stores/catalog.svelte.ts';
import type { Session } from './stores/session.svelte.ts';

export const [useWorkspace, setWorkspace] = createContext<Workspace>();
export const [useCatalog, setCatalog] = createContext<Catalog>();
export const [useSession, setSession] = createContext<Session>();
