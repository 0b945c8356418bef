/**
 * Atlassian Document Format builders: Jira Cloud's v3 API takes descriptions and comments only
 * as ADF. Jira rejects empty text nodes, so builders drop them rather than emit them.
 */

export type AdfMark = { type: 'strong' } | { type: 'em' } | { type: 'link'; attrs: { href: string } };
export type AdfInline = { type: 'text'; text: string; marks?: AdfMark[] } | { type: 'hardBreak' };
export type AdfBlock =
  | { type: 'paragraph'; content: AdfInline[] }
  | { type: 'bulletList'; content: Array<{ type: 'listItem'; content: AdfBlock[] }> };
export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfBlock[];
}

export function text(t: string, ...marks: AdfMark[]): AdfInline[] {
  if (t === '') return [];
  return [marks.length ? { type: 'text', text: t, marks } : { type: 'text', text: t }];
}

export const strong = (t: string): AdfInline[] => text(t, { type: 'strong' });
export const link = (t: string, href: string): AdfInline[] => text(t, { type: 'link', attrs: { href } });

export function paragraph(...parts: AdfInline[][]): AdfBlock {
  return { type: 'paragraph', content: parts.flat() };
}

/** Plain text as paragraphs: blank lines split paragraphs, single newlines become hard breaks. */
export function paragraphs(plain: string): AdfBlock[] {
  return plain
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) =>
      paragraph(
        ...p.split('\n').flatMap((line, i): AdfInline[][] => (i ? [[{ type: 'hardBreak' }], text(line)] : [text(line)]))
      )
    );
}

export function bulletList(items: AdfInline[][][]): AdfBlock {
  return { type: 'bulletList', content: items.map((parts) => ({ type: 'listItem', content: [paragraph(...parts)] })) };
}

/** A document of the given blocks; paragraphs left empty are dropped (Jira refuses nothing else). */
export function doc(...blocks: AdfBlock[]): AdfDoc {
  return { type: 'doc', version: 1, content: blocks.filter((b) => b.content.length > 0) };
}
