import { posix } from 'node:path';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { BlockCollector, collapseWhitespace } from './block-collector.js';
import { collectHtmlBlocks, parseHtmlDocument } from './html-to-blocks.js';
import type { XmlNode } from './xml-tree.js';
import {
  allText,
  attributeOf,
  childNamed,
  childrenOf,
  descendantsNamed,
  nameOf,
  parseOrderedXml,
  rootElement,
} from './xml-tree.js';
import { ZipArchive } from './zip-archive.js';

const LABEL = 'EPUB book';

/**
 * An EPUB is a zip of XHTML chapters. `META-INF/container.xml` points at the package document
 * (OPF), whose spine lists the chapters in reading order; we read them in that order, skipping the
 * navigation document (its table of contents would only repeat the chapter headings). The book's
 * title, authors and description open the document, because readers search for them too.
 */
export const epubParser: DocumentParser = {
  format: 'epub',
  async parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    const archive = await ZipArchive.openWithinLimits(input.bytes, limits, LABEL);
    const container = parseOrderedXml(
      await archive.readText('META-INF/container.xml', signal),
      'META-INF/container.xml',
      LABEL,
    );
    const packagePath = descendantsNamed(container, 'rootfile')
      .map((rootfile) => attributeOf(rootfile, 'full-path'))
      .find((path) => path !== undefined);
    if (packagePath === undefined) {
      throw new DocumentError(
        'corrupt_document',
        `the ${LABEL} is damaged: META-INF/container.xml names no package document`,
      );
    }
    const opf = rootElement(parseOrderedXml(await archive.readText(packagePath, signal), packagePath, LABEL));
    if (opf === undefined)
      throw new DocumentError('corrupt_document', `the ${LABEL} is damaged: ${packagePath} is empty`);

    const metadata = readMetadata(opf);
    const collector = new BlockCollector(limits.maxCharacters);
    if (metadata.title !== undefined) collector.paragraph(`Title: ${metadata.title}`);
    if (metadata.creators.length > 0) collector.paragraph(`Authors: ${metadata.creators.join(', ')}`);
    if (metadata.description !== undefined) collector.paragraph(metadata.description);

    const baseDirectory = posix.dirname(packagePath);
    for (const href of spineDocuments(opf)) {
      signal?.throwIfAborted();
      const path = posix.normalize(posix.join(baseDirectory, decodeURIComponent(href.split('#')[0] ?? '')));
      if (!archive.has(path)) continue;
      const chapter = parseHtmlDocument(await archive.readText(path, signal));
      if (chapter.body !== null) collectHtmlBlocks(chapter.body, collector);
    }

    return {
      format: 'epub',
      ...(metadata.title === undefined ? {} : { title: metadata.title }),
      blocks: collector.blocks,
      metadata: Object.fromEntries(
        Object.entries({
          author: metadata.creators.join(', '),
          language: metadata.language ?? '',
          publisher: metadata.publisher ?? '',
          date: metadata.date ?? '',
        }).filter(([, value]) => value !== ''),
      ),
    };
  },
};

interface BookMetadata {
  readonly title: string | undefined;
  readonly creators: readonly string[];
  readonly description: string | undefined;
  readonly language: string | undefined;
  readonly publisher: string | undefined;
  readonly date: string | undefined;
}

function readMetadata(opf: XmlNode): BookMetadata {
  const metadataElement = childNamed(opf, 'metadata');
  const values = (name: string): string[] =>
    metadataElement === undefined
      ? []
      : childrenOf(metadataElement)
          .filter((child) => nameOf(child) === name)
          .map((child) => collapseWhitespace(allText(child)))
          .filter((value) => value !== '');
  // Descriptions are often HTML escaped into the OPF; keep their words only.
  const description = values('description')[0]?.replace(/<[^>]*>/g, ' ');
  return {
    title: values('title')[0],
    creators: values('creator'),
    description: description === undefined ? undefined : collapseWhitespace(description),
    language: values('language')[0],
    publisher: values('publisher')[0],
    date: values('date')[0],
  };
}

/** The spine's chapters as hrefs relative to the package document, navigation excluded. */
function spineDocuments(opf: XmlNode): string[] {
  const manifest = new Map<string, { href: string; isNavigation: boolean; mediaType: string }>();
  for (const item of descendantsNamed([opf], 'item')) {
    const id = attributeOf(item, 'id');
    const href = attributeOf(item, 'href');
    if (id === undefined || href === undefined) continue;
    manifest.set(id, {
      href,
      isNavigation: (attributeOf(item, 'properties') ?? '').split(/\s+/).includes('nav'),
      mediaType: attributeOf(item, 'media-type') ?? '',
    });
  }
  return descendantsNamed([opf], 'itemref')
    .map((itemref) => manifest.get(attributeOf(itemref, 'idref') ?? ''))
    .filter((item) => item !== undefined)
    .filter((item) => !item.isNavigation && /html|xml/.test(item.mediaType))
    .map((item) => item.href);
}
