export type SortState = 'ascending' | 'descending' | 'none';

export interface Column {
  id: string;
  label: string;
  /** A CSS grid track: `6rem`, `minmax(12rem, 3fr)`. */
  width: string;
  /** Set on sortable columns: the header becomes a button and carries `aria-sort`. */
  sort?: SortState;
  align?: 'start' | 'end';
}

/** Which rows to render for a scroll position: the visible ones plus `overscan` on each side. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan: number
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(viewportHeight, rowHeight) / rowHeight) + 1;
  return { start: Math.max(0, first - overscan), end: Math.min(count, first + visible + overscan) };
}
