import { DocumentError } from '../../core/errors.js';

/**
 * Markup nested deeper than any real document is an attack or a broken generator: the DOM builders
 * and walkers we use take time far beyond linear in the depth (1,500 nested `<div>`s took minutes),
 * so we refuse such input before building anything. The scan is one linear pass over the text.
 */
export const maxMarkupDepth = 256;

// HTML elements that never have children, and those whose end tag may be omitted (the parser
// closes them implicitly): counting them as opened would overstate the depth of ordinary pages.
const notNesting = new Set([
  'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr',
  'p', 'li', 'dt', 'dd', 'tr', 'td', 'th', 'option', 'optgroup', 'rb', 'rt', 'rp', 'thead', 'tbody',
  'tfoot', 'colgroup', 'caption', 'html', 'head', 'body', 'param', 'keygen', 'command', 'basefont', 'frame',
]);

// Attribute text stops at `<` and `>` even inside quotes: every match attempt then ends at the
// next bracket, which keeps the scan linear on hostile input (unterminated quotes or tags).
const tagPattern = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<(\/?)([A-Za-z][\w:.-]*)(?:[^<>"']|"[^"<>]*"|'[^'<>]*')*?(\/?)>/g;

/** The deepest nesting of start tags in markup; `html` ignores void and optional-end elements. */
export function markupDepth(markup: string, dialect: 'html' | 'xml'): number {
  let depth = 0;
  let deepest = 0;
  for (const match of markup.matchAll(tagPattern)) {
    const [, closing, rawName, selfClosing] = match;
    if (rawName === undefined) continue; // comment or CDATA
    const name = dialect === 'html' ? rawName.toLowerCase() : rawName;
    if (dialect === 'html' && notNesting.has(name)) continue;
    if (closing === '/') {
      depth = Math.max(0, depth - 1);
    } else if (selfClosing !== '/') {
      depth += 1;
      if (depth > deepest) deepest = depth;
    }
  }
  return deepest;
}

/** Throws `document_too_complex` when markup nests deeper than `maxMarkupDepth`. */
export function assertNestingWithin(markup: string, dialect: 'html' | 'xml', label: string): void {
  const depth = markupDepth(markup, dialect);
  if (depth > maxMarkupDepth) {
    throw new DocumentError(
      'document_too_complex',
      `the ${label} nests elements ${depth} levels deep; at most ${maxMarkupDepth} are accepted`,
    );
  }
}
