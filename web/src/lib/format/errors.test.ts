import { describe, expect, it } from 'vitest';
import { attempt, errorMessage } from './errors.ts';

describe('attempt', () => {
  it('returns null when the write succeeds, and runs it', () => {
    let ran = false;
    expect(attempt(() => (ran = true))).toBeNull();
    expect(ran).toBe(true);
  });

  it('returns the refusal to show when the write throws', () => {
    expect(
      attempt(() => {
        throw new Error('Title is required');
      })
    ).toBe('Title is required');
    expect(errorMessage('plain')).toBe('plain');
  });
});
