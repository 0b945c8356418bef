import { prestart } from '$lib/stores/boot.ts';

// A local-first SPA: everything renders in the browser from IndexedDB, nothing on a server.
export const ssr = false;
export const prerender = false;

prestart();
