import { describe, expect, it } from 'vitest';
import { minTableWidth, visibleRange } from './types.ts';

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

describe('minTableWidth', () => {
  it('adds up the minimum of every track, ignoring flexible-only ones', () => {
    expect(minTableWidth([{ width: '6.5rem' }, { width: 'minmax(16rem, 3fr)' }, { width: '1fr' }])).toBe(
      'calc(6.5rem + 16rem)'
    );
    expect(minTableWidth([{ width: ' minmax( 120px , 1fr)' }, { width: 'auto' }])).toBe('calc(120px)');
    expect(minTableWidth([{ width: '2fr' }])).toBe('0px');
  });
});
