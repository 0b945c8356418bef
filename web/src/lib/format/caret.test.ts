import { describe, expect, it } from 'vitest';
import { transformCaret } from './caret.ts';

describe('transformCaret', () => {
  it('keeps a caret before a remote insertion', () => {
    expect(transformCaret('hello world', 'hello big world', 3)).toBe(3);
  });
  it('shifts a caret after a remote insertion or deletion', () => {
    expect(transformCaret('hello world', 'XXhello world', 5)).toBe(7);
    expect(transformCaret('hello world', 'world', 8)).toBe(2);
  });
  it('moves a caret inside a replaced span to its end', () => {
    expect(transformCaret('abcdef', 'abXYZf', 3)).toBe(5);
  });
  it('leaves the caret alone when nothing changed', () => {
    expect(transformCaret('same', 'same', 2)).toBe(2);
  });
});
