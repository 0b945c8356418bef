import { describe, expect, it } from 'vitest';
import { hbarLayout, spreadColumns, stackColumns, weekLayout, HBAR } from './layout.ts';

const bar = (key: string, value: number) => ({ key, label: key, value, color: 'red' });
const box = { width: 400, height: 200, left: 40, right: 10, top: 10, bottom: 30 };

describe('insights layout', () => {
  it('scales horizontal bars to the largest value, a row each, zero bars empty', () => {
    const { rows, height } = hbarLayout([bar('a', 10), bar('b', 5), bar('c', 0)], 356);
    expect(rows.map((r) => r.width)).toEqual([300, 150, 0]);
    expect(rows[1]!.y - rows[0]!.y).toBe(HBAR.label + HBAR.bar + HBAR.gap);
    expect(height).toBe(3 * (HBAR.label + HBAR.bar + HBAR.gap) - HBAR.gap);
  });

  it('puts median and p90 side by side, skipping a missing p90', () => {
    const cols = spreadColumns(
      [
        { week: '2026-11-02', count: 2, median: 2, p90: 5 },
        { week: '2026-11-09', count: 1, median: 3, p90: null }
      ],
      'blue'
    );
    expect(cols[0]!.bars.map((b) => [b.key, b.slot, b.y1])).toEqual([
      ['median', 0, 2],
      ['p90', 1, 5]
    ]);
    expect(cols[1]!.bars.map((b) => b.key)).toEqual(['median']);
    const { rects, yTicks } = weekLayout(cols, 2, box, String);
    const [median, p90] = rects;
    expect(p90!.x).toBeGreaterThan(median!.x);
    expect(p90!.height).toBeCloseTo(median!.height * 2.5);
    // Bars stand on the baseline, the tallest reaches the top of the nice domain or below.
    expect(median!.y + median!.height).toBeCloseTo(box.height - box.bottom);
    expect(yTicks[0]!.label).toBe('0');
    expect(rects.every((r) => r.x >= box.left && r.x + r.width <= box.width - box.right)).toBe(true);
  });

  it('stacks reasons on top of each other within a week', () => {
    const cols = stackColumns([
      {
        week: '2026-11-02',
        total: 3,
        segments: [
          { reason: 'fixed', label: 'Fixed', value: 2, y0: 0, y1: 2, color: 'g' },
          { reason: 'wont_fix', label: "Won't fix", value: 1, y0: 2, y1: 3, color: 'm' }
        ]
      }
    ]);
    const { rects, xTicks } = weekLayout(cols, 1, box, String);
    expect(rects[0]!.x).toBe(rects[1]!.x);
    expect(rects[1]!.y + rects[1]!.height).toBeCloseTo(rects[0]!.y);
    expect(xTicks).toEqual([{ x: expect.any(Number), label: 'Nov 2' }]);
  });

  it('thins week labels on a narrow chart', () => {
    const weeks = Array.from({ length: 20 }, (_, i) => ({
      week: new Date(Date.UTC(2026, 0, 5 + 7 * i)).toISOString().slice(0, 10),
      bars: []
    }));
    expect(weekLayout(weeks, 1, { ...box, width: 390 }, String).xTicks.length).toBeLessThan(10);
    expect(weekLayout(weeks, 1, { ...box, width: 2000 }, String).xTicks.length).toBe(20);
  });
});
