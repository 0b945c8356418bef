/** Human times for dashboards: "3 hours ago" in the cell, the absolute time as its title. */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

const UNITS: Array<[limit: number, size: number, unit: string]> = [
  [HOUR, MINUTE, 'minute'],
  [DAY, HOUR, 'hour'],
  [MONTH, DAY, 'day'],
  [YEAR, MONTH, 'month'],
  [Infinity, YEAR, 'year']
];

function toMs(t: string | number | Date): number {
  return typeof t === 'number' ? t : typeof t === 'string' ? Date.parse(t) : t.getTime();
}

/** "just now", "5 minutes ago", "1 hour ago", "in 2 days"; "" for a missing or unparsable time. */
export function relativeTime(t: string | number | Date | null | undefined, now: number = Date.now()): string {
  if (t === null || t === undefined || t === '') return '';
  const ms = toMs(t);
  if (Number.isNaN(ms)) return '';
  const diff = now - ms;
  const abs = Math.abs(diff);
  // Clocks of teammates and the server drift by seconds; anything under a minute reads as now.
  if (abs < MINUTE) return 'just now';
  for (const [limit, size, unit] of UNITS) {
    if (abs < limit) {
      const n = Math.floor(abs / size);
      const label = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return diff >= 0 ? `${label} ago` : `in ${label}`;
    }
  }
  return '';
}

const ABSOLUTE = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const SHORT_DATE = new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric' });

/** "May 2, 2024, 9:00 AM" */
export function absoluteTime(t: string | number | Date | null | undefined): string {
  if (t === null || t === undefined || t === '') return '';
  const ms = toMs(t);
  return Number.isNaN(ms) ? '' : ABSOLUTE.format(ms);
}

/** "May 2": axis labels. */
export function shortDate(t: string | number | Date): string {
  const ms = toMs(t);
  return Number.isNaN(ms) ? '' : SHORT_DATE.format(ms);
}
