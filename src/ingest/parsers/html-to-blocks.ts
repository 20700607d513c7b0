import { parseHTML } from 'linkedom';
import type { BlockCollector } from './block-collector.js';
import { assertNestingWithin } from './nesting-depth.js';
import { looksLikeHeaderRow } from './table-header.js';

/**
 * The glue shared by every format that reaches us as HTML (web pages, DOCX through mammoth, EPUB
 * chapters, feed items): walk the DOM and keep structure, not styling. Headings keep their level,
 * tables stay rows of cells, `<pre>` becomes code, and everything inline (links, emphasis, spans)
 * collapses into the text of the surrounding paragraph, so a link keeps its words but not its URL.
 *
 * The project compiles without the DOM library, so the walker describes the little of the DOM it
 * touches itself; linkedom's nodes satisfy it.
 */
export interface HtmlNode {
  readonly nodeType: number;
  readonly nodeName: string;
  readonly textContent: string | null;
  readonly childNodes: ArrayLike<HtmlNode>;
  getAttribute?(name: string): string | null;
}

export interface HtmlDocument {
  readonly body: HtmlNode | null;
  readonly title?: string;
  querySelectorAll(selector: string): ArrayLike<HtmlNode & { remove(): void }>;
}

export interface HtmlWalkOptions {
  /** Added to every heading level, to nest a feed item's own headings below the item title. */
  readonly headingOffset?: number;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** Never content: scripts, styles, form controls, embedded media. */
const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'head',
  'title',
  'meta',
  'link',
  'svg',
  'canvas',
  'iframe',
  'object',
  'embed',
  'video',
  'audio',
  'img',
  'picture',
  'source',
  'button',
  'select',
  'input',
  'textarea',
  'annotation',
  'annotation-xml',
]);

/** Elements that start a new block: text on either side of them belongs to different paragraphs. */
const BLOCK_LEVEL = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'header',
  'hgroup',
  'hr',
  'html',
  'legend',
  'li',
  'main',
  'menu',
  'nav',
  'ol',
  'p',
  'section',
  'summary',
  'ul',
]);

export function parseHtmlDocument(html: string): HtmlDocument {
  assertNestingWithin(html, 'html', 'HTML');
  return parseHTML(html).document as unknown as HtmlDocument;
}

/** Parses an HTML fragment (a feed item's content, mammoth's output) and returns its body. */
export function parseHtmlFragment(html: string): HtmlNode {
  const { body } = parseHtmlDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`);
  if (body === null) throw new Error('linkedom produced no body for an HTML fragment');
  return body;
}

export function collectHtmlBlocks(
  root: HtmlNode,
  collector: BlockCollector,
  options: HtmlWalkOptions = {},
): void {
  new HtmlBlockWalker(collector, options).walk(root);
}

class HtmlBlockWalker {
  readonly #collector: BlockCollector;
  readonly #headingOffset: number;
  #inline: string[] = [];

  constructor(collector: BlockCollector, options: HtmlWalkOptions) {
    this.#collector = collector;
    this.#headingOffset = options.headingOffset ?? 0;
  }

  walk(root: HtmlNode): void {
    this.#visitChildren(root);
    this.#flush();
  }

  #visitChildren(node: HtmlNode): void {
    for (const child of Array.from(node.childNodes)) this.#visit(child);
  }

  #visit(node: HtmlNode): void {
    if (node.nodeType === TEXT_NODE) {
      // Source line breaks inside text are just spaces to a browser, and so to us.
      this.#inline.push((node.textContent ?? '').replace(/\s+/g, ' '));
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const name = node.nodeName.toLowerCase();
    if (SKIPPED.has(name) || isHidden(node)) return;

    const headingLevel = /^h([1-6])$/.exec(name)?.[1];
    if (headingLevel !== undefined) {
      this.#flush();
      this.#collector.heading(inlineText(node), Number(headingLevel) + this.#headingOffset);
    } else if (name === 'br') {
      this.#inline.push('\n');
    } else if (name === 'table') {
      this.#flush();
      this.#table(node);
    } else if (name === 'pre') {
      this.#flush();
      this.#collector.code(node.textContent ?? '', codeLanguage(node));
    } else if (BLOCK_LEVEL.has(name)) {
      this.#flush();
      this.#visitChildren(node);
      this.#flush();
    } else {
      this.#visitChildren(node);
    }
  }

  #flush(): void {
    if (this.#inline.length === 0) return;
    this.#collector.paragraph(this.#inline.join(''));
    this.#inline = [];
  }

  #table(table: HtmlNode): void {
    const { rows, headerRows } = tableRows(table);
    const caption = childElements(table).find((child) => child.nodeName.toLowerCase() === 'caption');
    const grid = rows.map((row) => row.map((cell) => cell.text));
    // A one-column "table" is page layout, not data: its cells are ordinary content.
    if (grid.every((row) => row.length <= 1)) {
      if (caption !== undefined) this.#collector.paragraph(inlineText(caption));
      for (const row of rows) {
        for (const cell of row) {
          this.#visitChildren(cell.element);
          this.#flush();
        }
      }
      return;
    }
    this.#collector.table(grid, {
      hasHeader: headerRows > 0 || looksLikeHeaderRow(grid),
      ...(caption === undefined ? {} : { caption: inlineText(caption) }),
    });
  }
}

interface TableCell {
  readonly text: string;
  readonly element: HtmlNode;
}

/**
 * The rows of this table, not of tables nested in its cells (their text stays inside the cell).
 * A cell spanning several columns is followed by empty cells so that columns stay aligned.
 */
function tableRows(table: HtmlNode): { rows: TableCell[][]; headerRows: number } {
  const rows: TableCell[][] = [];
  let headerRows = 0;
  const visitSection = (section: HtmlNode, isHeader: boolean): void => {
    for (const child of childElements(section)) {
      const name = child.nodeName.toLowerCase();
      if (name === 'tr') {
        const cells = childElements(child).filter((cell) => /^t[hd]$/i.test(cell.nodeName));
        const row: TableCell[] = [];
        for (const cell of cells) {
          row.push({ text: inlineText(cell), element: cell });
          const span = Math.min(50, Number(cell.getAttribute?.('colspan') ?? '1') || 1);
          for (let extra = 1; extra < span; extra += 1) row.push({ text: '', element: cell });
        }
        const allHeaderCells =
          cells.length > 0 && cells.every((cell) => cell.nodeName.toLowerCase() === 'th');
        if ((isHeader || allHeaderCells) && rows.length === headerRows) headerRows += 1;
        rows.push(row);
      } else if (name === 'thead' || name === 'tbody' || name === 'tfoot') {
        visitSection(child, name === 'thead');
      }
    }
  };
  visitSection(table, false);
  return { rows, headerRows };
}

function childElements(node: HtmlNode): HtmlNode[] {
  return Array.from(node.childNodes).filter((child) => child.nodeType === ELEMENT_NODE);
}

/** The visible text of an element flattened to one line, skipping what the walker skips. */
export function inlineText(node: HtmlNode): string {
  const parts: string[] = [];
  const visit = (current: HtmlNode): void => {
    if (current.nodeType === TEXT_NODE) {
      parts.push(current.textContent ?? '');
      return;
    }
    if (current.nodeType !== ELEMENT_NODE) return;
    const name = current.nodeName.toLowerCase();
    if (SKIPPED.has(name) || isHidden(current)) return;
    // Block boundaries inside a cell or heading still separate words.
    const separate =
      BLOCK_LEVEL.has(name) || name === 'br' || name === 'td' || name === 'th' || name === 'tr';
    if (separate) parts.push(' ');
    for (const child of Array.from(current.childNodes)) visit(child);
    if (separate) parts.push(' ');
  };
  for (const child of Array.from(node.childNodes)) visit(child);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

function isHidden(node: HtmlNode): boolean {
  const hidden = node.getAttribute?.('hidden');
  return (hidden !== null && hidden !== undefined) || node.getAttribute?.('aria-hidden') === 'true';
}

function codeLanguage(pre: HtmlNode): string | undefined {
  const code = childElements(pre).find((child) => child.nodeName.toLowerCase() === 'code');
  const classes = `${code?.getAttribute?.('class') ?? ''} ${pre.getAttribute?.('class') ?? ''}`;
  return /(?:^|\s)(?:language|lang)-([\w+#-]+)/.exec(classes)?.[1];
}
