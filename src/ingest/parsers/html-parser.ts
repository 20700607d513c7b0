import { Readability } from '@mozilla/readability';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { BlockCollector, collapseWhitespace } from './block-collector.js';
import type { HtmlDocument, HtmlNode } from './html-to-blocks.js';
import { collectHtmlBlocks, inlineText, parseHtmlDocument } from './html-to-blocks.js';
import { requireText } from './text-decoding.js';

/**
 * Web pages carry far more navigation, sidebars and footers than content, and indexing that
 * chrome would make every page of a site look alike to retrieval. Readability (the engine behind
 * Firefox's reader view) finds the main content; when it finds nothing, the page is probably not
 * an article (a form, a listing) and we fall back to its body minus the obvious chrome.
 */
export const htmlParser: DocumentParser = {
  format: 'html',
  parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    signal?.throwIfAborted();
    const html = requireText(input, 'HTML');
    const collector = new BlockCollector(limits.maxCharacters);
    const article = readMainContent(html);
    const metadata: Record<string, string> = {};

    let title: string | undefined;
    if (article !== undefined) {
      title = nonEmpty(article.title);
      if (title !== undefined && !containsTitleHeading(article.content, title)) collector.heading(title, 1);
      collectHtmlBlocks(article.content, collector);
      addIfPresent(metadata, 'author', article.byline);
      addIfPresent(metadata, 'siteName', article.siteName);
      addIfPresent(metadata, 'language', article.lang);
      addIfPresent(metadata, 'publishedTime', article.publishedTime);
      addIfPresent(metadata, 'excerpt', article.excerpt);
    } else {
      // Readability changed the first DOM while searching; start again from the source.
      const document = parseHtmlDocument(html);
      title = nonEmpty(document.title);
      removeChrome(document);
      if (document.body !== null) {
        if (title !== undefined && !containsTitleHeading(document.body, title)) collector.heading(title, 1);
        collectHtmlBlocks(document.body, collector);
      }
    }
    return Promise.resolve({
      format: 'html',
      ...(title === undefined ? {} : { title }),
      blocks: collector.blocks,
      metadata,
    });
  },
};

interface Article {
  readonly title: string | null | undefined;
  readonly content: HtmlNode;
  readonly byline: string | null | undefined;
  readonly siteName: string | null | undefined;
  readonly lang: string | null | undefined;
  readonly publishedTime: string | null | undefined;
  readonly excerpt: string | null | undefined;
}

function readMainContent(html: string): Article | undefined {
  const document = parseHtmlDocument(html);
  // On a short page Readability may keep the menus it would drop from a long one: drop them first.
  removeChrome(document);
  const reader = new Readability<HtmlNode>(document as never, {
    // The serializer hands back the content node itself, sparing a serialise-and-reparse round trip.
    serializer: (node) => node as unknown as HtmlNode,
    // `language-sql` on a code block names its language; Readability strips classes otherwise.
    keepClasses: true,
  });
  let article: ReturnType<typeof reader.parse>;
  try {
    article = reader.parse();
  } catch {
    // Readability gives up on some malformed pages; the body fallback still reads them.
    return undefined;
  }
  if (article === null || article.content === null || article.content === undefined) return undefined;
  if (collapseWhitespace(article.textContent ?? '') === '') return undefined;
  return { ...article, content: article.content };
}

/**
 * Navigation, site headers and footers, sidebars: the page chrome. A `<header>` inside an
 * `<article>` is the article's own (its title, its byline) and stays.
 */
function removeChrome(document: HtmlDocument): void {
  const selectors = 'nav, aside, footer, header, [role="navigation"]';
  for (const element of Array.from(document.querySelectorAll(selectors))) {
    const isArticleHeader =
      element.nodeName.toLowerCase() === 'header' &&
      (element as unknown as { closest(selector: string): unknown }).closest('article') !== null;
    if (!isArticleHeader) element.remove();
  }
}

/** Readability usually strips the page's own `<h1>` into `title`; we put it back unless it is there. */
function containsTitleHeading(root: HtmlNode, title: string): boolean {
  const wanted = collapseWhitespace(title);
  const visit = (node: HtmlNode): boolean => {
    if (node.nodeType !== 1) return false;
    if (/^h[12]$/i.test(node.nodeName)) return collapseWhitespace(inlineText(node)) === wanted;
    return Array.from(node.childNodes).some(visit);
  };
  return visit(root);
}

function nonEmpty(value: string | null | undefined): string | undefined {
  const clean = collapseWhitespace(value ?? '');
  return clean === '' ? undefined : clean;
}

function addIfPresent(metadata: Record<string, string>, key: string, value: string | null | undefined): void {
  const clean = nonEmpty(value);
  if (clean !== undefined) metadata[key] = clean;
}
