import { XMLParser } from 'fast-xml-parser';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { BlockCollector, collapseWhitespace } from './block-collector.js';
import { collectHtmlBlocks, parseHtmlFragment } from './html-to-blocks.js';
import { assertWellFormed, parseXml } from './xml-tree.js';
import { requireText } from './text-decoding.js';

/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom feeds. The feed's title is the top heading and each item a
 * second-level section: its title, its date and author, then its body. Item bodies are HTML
 * escaped inside XML; we prefer the full content (`content:encoded`, Atom `content`) over the
 * summary, and any headings inside a body are nested below the item's heading.
 */
export const rssParser: DocumentParser = {
  format: 'rss',
  parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    signal?.throwIfAborted();
    const xml = requireText(input, 'an RSS or Atom feed');
    assertWellFormed(xml, input.fileName, 'feed');
    const root = parseXml(feedParser, xml, input.fileName, 'feed') as Record<string, unknown>;
    const feed = readFeed(root);
    if (feed === undefined) {
      throw new DocumentError(
        'corrupt_document',
        `${input.fileName} is XML but has no <rss>, <feed> or <rdf:RDF> root`,
      );
    }
    const collector = new BlockCollector(limits.maxCharacters);
    const title = text(feed.channel['title']);
    collector.heading(title, 1);
    collectBody(text(feed.channel['description'] ?? feed.channel['subtitle']), collector, 1);
    for (const item of feed.items) {
      signal?.throwIfAborted();
      collector.heading(text(item['title']) || 'Untitled item', 2);
      const date = text(item['pubDate'] ?? item['published'] ?? item['updated'] ?? item['date']);
      const author = list(item['creator'] ?? item['author'])
        .map((person) => text(isRecord(person) && 'name' in person ? person['name'] : person))
        .filter((name) => name !== '')
        .join(', ');
      const byline = [date === '' ? '' : `Published ${date}`, author === '' ? '' : `by ${author}`]
        .filter((part) => part !== '')
        .join(' ');
      collector.paragraph(byline);
      const body = item['encoded'] ?? item['content'] ?? item['description'] ?? item['summary'];
      collectBody(text(body), collector, 2);
    }
    const language = text(feed.channel['language']);
    return Promise.resolve({
      format: 'rss',
      ...(title === '' ? {} : { title: collapseWhitespace(title) }),
      blocks: collector.blocks,
      metadata: { items: String(feed.items.length), ...(language === '' ? {} : { language }) },
    });
  },
};

const feedParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  isArray: (name) => name === 'item' || name === 'entry',
});

interface Feed {
  readonly channel: Record<string, unknown>;
  readonly items: readonly Record<string, unknown>[];
}

function readFeed(root: Record<string, unknown>): Feed | undefined {
  const rss = root['rss'];
  if (isRecord(rss) && isRecord(rss['channel'])) {
    const channel = rss['channel'];
    return { channel, items: list(channel['item']).filter(isRecord) };
  }
  const atom = root['feed'];
  if (isRecord(atom)) return { channel: atom, items: list(atom['entry']).filter(isRecord) };
  // RSS 1.0 puts the items beside the channel, not inside it.
  const rdf = root['RDF'];
  if (isRecord(rdf)) {
    return {
      channel: isRecord(rdf['channel']) ? rdf['channel'] : {},
      items: list(rdf['item']).filter(isRecord),
    };
  }
  return undefined;
}

function collectBody(body: string, collector: BlockCollector, headingOffset: number): void {
  if (body.trim() === '') return;
  if (/<[a-z][\s\S]*>/i.test(body)) {
    collectHtmlBlocks(parseHtmlFragment(body), collector, { headingOffset });
  } else {
    collector.paragraph(body);
  }
}

/** Element text whether the parser gave a string, an element with attributes, or nested markup. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(text).join(' ');
  if (isRecord(value)) {
    if ('#text' in value) return text(value['#text']);
    // Atom `type="xhtml"` content arrives as elements: keep the words, in order.
    return Object.entries(value)
      .filter(([key]) => !key.startsWith('@_'))
      .map(([, child]) => text(child))
      .join(' ');
  }
  return '';
}

function list(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
