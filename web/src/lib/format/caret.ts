/**
 * Where a caret (or selection end) belongs after the text around it changed from `prev` to
 * `next` by someone else: the change is taken as one replaced span (common prefix and suffix
 * kept), positions before it stay, positions after it shift by the length difference, and a
 * position inside it moves to the end of the replacement.
 */
export function transformCaret(prev: string, next: string, pos: number): number {
  if (prev === next) return pos;
  let start = 0;
  const max = Math.min(prev.length, next.length);
  while (start < max && prev.charCodeAt(start) === next.charCodeAt(start)) start++;
  let endPrev = prev.length;
  let endNext = next.length;
  while (endPrev > start && endNext > start && prev.charCodeAt(endPrev - 1) === next.charCodeAt(endNext - 1)) {
    endPrev--;
    endNext--;
  }
  if (pos <= start) return pos;
  if (pos >= endPrev) return pos + (endNext - endPrev);
  return endNext;
}
