import { describe, expect, it } from 'vitest';
import { visibleRange } from './types.ts';

describe('visibleRange', () => {
  it('renders the visible rows plus overscan, clamped to the list', () => {
    expect(visibleRange(0, 400, 40, 1000, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(4000, 400, 40, 1000, 5)).toEqual({ start: 95, end: 116 });
    expect(visibleRange(39_800, 400, 40, 1000, 5)).toEqual({ start: 990, end: 1000 });
  });
  it('renders something before the viewport is measured', () => {
    expect(visibleRange(0, 0, 40, 3, 5)).toEqual({ start: 0, end: 3 });
  });
});
