import { diffSpan } from '@firebreak/shared';

/**
 * Where a caret (or selection end) belongs after the text around it changed from `prev` to
 * `next` by someone else: the change is taken as one replaced span (common prefix and suffix
 * kept), positions before it stay, positions after it shift by the length difference, and a
 * position inside it moves to the end of the replacement.
 */
export function transformCaret(prev: string, next: string, pos: number): number {
  if (prev === next) return pos;
  const { start, endPrev, endNext } = diffSpan(prev, next);
  if (pos <= start) return pos;
  if (pos >= endPrev) return pos + (endNext - endPrev);
  return endNext;
}
