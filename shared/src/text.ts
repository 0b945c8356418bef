/**
 * The single replaced span that turns `prev` into `next`: the common prefix and suffix are kept,
 * `prev[start, endPrev)` becomes `next[start, endNext)`. Used to write a textarea's new value into
 * a Y.Text with the smallest edit, and to move a caret past someone else's edit.
 */
export function diffSpan(prev: string, next: string): { start: number; endPrev: number; endNext: number } {
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let endPrev = prev.length;
  let endNext = next.length;
  while (endPrev > start && endNext > start && prev.charCodeAt(endPrev - 1) === next.charCodeAt(endNext - 1)) {
    endPrev--;
    endNext--;
  }
  return { start, endPrev, endNext };
}
