export { default as VirtualTable } from './virtual-table.svelte';
export type { Column, SortState } from './types.ts';
