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

/**
 * The narrowest the columns may get: the sum of each track's minimum (`minmax(12rem, 3fr)` is
 * 12rem, `6rem` is 6rem, a bare `fr` is 0). Below it the table scrolls sideways inside its card
 * instead of widening the page.
 */
export function minTableWidth(columns: readonly Pick<Column, 'width'>[]): string {
  const mins = columns
    .map((c) => /^minmax\(\s*([^,]+),/.exec(c.width.trim())?.[1]?.trim() ?? c.width.trim())
    .filter((w) => !/fr$|^auto$/.test(w));
  return mins.length ? `calc(${mins.join(' + ')})` : '0px';
}
