/**
 * Incident channel names: `inc-<n>-<yyyy-mm-dd>-<title-slug>`, within Slack's rules for
 * `conversations.create` (lowercase letters, digits, `-` and `_`, at most 80 characters).
 */

/** Slack refuses longer names with `invalid_name_maxlength`. */
export const MAX_CHANNEL_NAME = 80;

/** A slug cut mid-word goes back to the previous word break when that loses at most this much. */
const WORD_BREAK_SLACK = 12;

/**
 * Letters NFKD does not decompose into ASCII. Everything else outside `[a-z0-9]` (other scripts,
 * emoji, punctuation) becomes a word break, since Slack's API refuses it (`invalid_name_specials`).
 */
const TRANSLITERATE: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h'
};

/** `title` as lowercase ASCII words joined by `-` (underscores kept); may be empty. */
export function slugify(title: string): string {
  const ascii = title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðþłıħ]/g, (c) => TRANSLITERATE[c] ?? '-');
  return ascii
    .replace(/[^a-z0-9_]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
}

/** `inc-12-2026-11-26`: the part of the name that is never truncated. */
export function channelPrefix(number: number, createdAt: string): string {
  const at = new Date(createdAt);
  if (Number.isNaN(at.getTime())) throw new Error(`Unreadable incident creation time: ${createdAt}`);
  return `inc-${number}-${at.toISOString().slice(0, 10)}`;
}

/** The `-2`, `-3`… that follows a `name_taken`; attempt 1 has none. */
export function nameSuffix(attempt: number): string {
  return attempt <= 1 ? '' : `-${attempt}`;
}

/**
 * The channel name for an incident, for the `attempt`-th try (`name_taken` → next attempt). Only
 * the slug is shortened to fit; a cut slug loses its trailing separators and, when cheap, the
 * partial word.
 */
export function channelName(number: number, createdAt: string, title: string, attempt = 1): string {
  const prefix = channelPrefix(number, createdAt);
  const suffix = nameSuffix(attempt);
  const room = MAX_CHANNEL_NAME - prefix.length - suffix.length - 1; // 1 for the `-` before the slug
  let slug = slugify(title);
  if (slug.length > room) {
    const cut = slug.slice(0, Math.max(0, room));
    const wordBreak = cut.lastIndexOf('-');
    const midWord = /[a-z0-9]/.test(slug[room] ?? '') && /[a-z0-9]$/.test(cut);
    slug = midWord && wordBreak > 0 && cut.length - wordBreak <= WORD_BREAK_SLACK ? cut.slice(0, wordBreak) : cut;
    slug = slug.replace(/[-_]+$/, '');
  }
  return slug ? `${prefix}-${slug}${suffix}` : `${prefix}${suffix}`;
}

/** Whether `name` is one of the names channelName gives an incident with this prefix (any title, any suffix). */
export function hasChannelPrefix(name: string, prefix: string): boolean {
  return name === prefix || name.startsWith(`${prefix}-`);
}
