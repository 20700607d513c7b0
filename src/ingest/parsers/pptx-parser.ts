import { posix } from 'node:path';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { BlockCollector, collapseWhitespace } from './block-collector.js';
import { chartToTable } from './office-chart.js';
import { readOfficeProperties } from './office-properties.js';
import { looksLikeHeaderRow } from './table-header.js';
import type { XmlNode } from './xml-tree.js';
import {
  attributeOf,
  childNamed,
  childrenNamed,
  childrenOf,
  descendantsNamed,
  nameOf,
  parseOrderedXml,
  pathOf,
  rootElement,
  textOfElements,
} from './xml-tree.js';
import { ZipArchive } from './zip-archive.js';

const LABEL = 'PowerPoint presentation';
const PRESENTATION = 'ppt/presentation.xml';

/**
 * PPTX read straight from its XML (jszip + fast-xml-parser): each slide becomes a heading (its
 * title, or "Slide n") followed by its text boxes as paragraphs, its tables and charts as table
 * blocks, its pictures' alternative text and its speaker notes. `page` is the slide number, so a
 * citation can say "slide 4".
 */
export const pptxParser: DocumentParser = {
  format: 'pptx',
  async parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    const archive = await ZipArchive.openWithinLimits(input.bytes, limits, LABEL);
    if (!archive.has(PRESENTATION)) {
      throw new DocumentError('corrupt_document', `the ${LABEL} is incomplete: it has no ${PRESENTATION}`);
    }
    const slidePaths = await slidesInOrder(archive, signal);
    const collector = new BlockCollector(limits.maxCharacters);
    for (const [index, slidePath] of slidePaths.entries()) {
      signal?.throwIfAborted();
      await collectSlide(archive, slidePath, index + 1, collector, signal);
    }
    const properties = await readOfficeProperties(archive, signal);
    const title = properties['title'] ?? firstHeading(collector.blocks);
    return {
      format: 'pptx',
      ...(title === undefined ? {} : { title }),
      blocks: collector.blocks,
      pageCount: slidePaths.length,
      metadata: properties,
    };
  },
};

interface Relationship {
  readonly type: string;
  readonly path: string;
}

/** A part's relationships (`_rels/<part>.rels`): id → target path inside the archive. */
async function readRelationships(
  archive: ZipArchive,
  partPath: string,
  signal?: AbortSignal,
): Promise<Map<string, Relationship>> {
  const relationshipsPath = posix.join(posix.dirname(partPath), '_rels', `${posix.basename(partPath)}.rels`);
  const relationships = new Map<string, Relationship>();
  if (!archive.has(relationshipsPath)) return relationships;
  const tree = parseOrderedXml(await archive.readText(relationshipsPath, signal), relationshipsPath, LABEL);
  for (const relationship of descendantsNamed(tree, 'Relationship')) {
    const id = attributeOf(relationship, 'Id');
    const target = attributeOf(relationship, 'Target');
    if (id === undefined || target === undefined || attributeOf(relationship, 'TargetMode') === 'External')
      continue;
    const path = target.startsWith('/')
      ? target.slice(1)
      : posix.normalize(posix.join(posix.dirname(partPath), target));
    relationships.set(id, { type: attributeOf(relationship, 'Type') ?? '', path });
  }
  return relationships;
}

/**
 * Slide order is the order of `<p:sldId r:id>` in presentation.xml, not the file names. The
 * relationship id is read with a regular expression because the `r:id` attribute would collide
 * with the plain `id` once namespace prefixes are dropped.
 */
async function slidesInOrder(archive: ZipArchive, signal?: AbortSignal): Promise<string[]> {
  const presentation = await archive.readText(PRESENTATION, signal);
  const relationships = await readRelationships(archive, PRESENTATION, signal);
  const ordered: string[] = [];
  for (const [element] of presentation.matchAll(/<(?:[\w-]+:)?sldId\b[^>]*>/g)) {
    const id = /\s[\w-]+:id="([^"]+)"/.exec(element)?.[1];
    const path = id === undefined ? undefined : relationships.get(id)?.path;
    if (path !== undefined && archive.has(path)) ordered.push(path);
  }
  if (ordered.length > 0) return ordered;
  // No usable slide list: fall back to the slide files in numeric order.
  return archive.entryNames
    .filter((name) => /^ppt\/slides\/slide\d+\.xml$/.test(name))
    .sort((a, b) => slideNumber(a) - slideNumber(b));
}

function slideNumber(path: string): number {
  return Number(/(\d+)\.xml$/.exec(path)?.[1] ?? 0);
}

const REPEATED_PLACEHOLDERS: ReadonlySet<string> = new Set(['sldNum', 'dt', 'ftr', 'hdr']);

type SlideItem =
  | { readonly kind: 'paragraphs'; readonly texts: readonly string[] }
  | { readonly kind: 'table'; readonly rows: readonly (readonly string[])[] }
  | { readonly kind: 'chart'; readonly relationshipId: string }
  | { readonly kind: 'image'; readonly description: string };

async function collectSlide(
  archive: ZipArchive,
  slidePath: string,
  page: number,
  collector: BlockCollector,
  signal?: AbortSignal,
): Promise<void> {
  const slide = rootElement(parseOrderedXml(await archive.readText(slidePath, signal), slidePath, LABEL));
  const shapeTree = slide === undefined ? undefined : pathOf(slide, ['cSld', 'spTree']);
  const items: SlideItem[] = [];
  let title: string | undefined;
  for (const shape of shapeTree === undefined ? [] : childrenOf(shapeTree)) {
    visitShape(shape, items, (text) => {
      if (title === undefined) title = text;
      else items.push({ kind: 'paragraphs', texts: [text] });
    });
  }
  const slideTitle = title ?? `Slide ${page}`;
  collector.heading(slideTitle, 1, page);

  const relationships = await readRelationships(archive, slidePath, signal);
  for (const item of items) {
    switch (item.kind) {
      case 'paragraphs':
        for (const text of item.texts) collector.paragraph(text, page);
        break;
      case 'table':
        collector.table(item.rows, { hasHeader: looksLikeHeaderRow(item.rows), caption: slideTitle, page });
        break;
      case 'image':
        collector.paragraph(`Image: ${item.description}`, page);
        break;
      case 'chart': {
        const chartPath = relationships.get(item.relationshipId)?.path;
        if (chartPath === undefined || !archive.has(chartPath)) break;
        const chart = chartToTable(
          parseOrderedXml(await archive.readText(chartPath, signal), chartPath, LABEL),
        );
        if (chart === undefined) break;
        if (chart.rows.length === 0) collector.paragraph(`Chart: ${chart.title ?? ''}`, page);
        else collector.table(chart.rows, { hasHeader: true, caption: chart.title ?? 'Chart', page });
        break;
      }
    }
  }

  const notes = [...relationships.values()].find((relationship) => relationship.type.endsWith('/notesSlide'));
  if (notes !== undefined && archive.has(notes.path)) {
    const notesSlide = parseOrderedXml(await archive.readText(notes.path, signal), notes.path, LABEL);
    const texts = descendantsNamed(notesSlide, 'sp')
      .filter((shape) => placeholderType(shape) === 'body')
      .flatMap((shape) => shapeParagraphs(shape));
    if (texts.length > 0) collector.paragraph(`Notes: ${texts.join('\n')}`, page);
  }
}

/** Adds a shape's content to `items`, in the slide's drawing order; groups are entered. */
function visitShape(shape: XmlNode, items: SlideItem[], onTitle: (text: string) => void): void {
  switch (nameOf(shape)) {
    case 'sp': {
      const type = placeholderType(shape);
      // Slide number, date, header and footer placeholders repeat on every slide and say nothing.
      if (type !== undefined && REPEATED_PLACEHOLDERS.has(type)) break;
      const texts = shapeParagraphs(shape);
      if ((type === 'title' || type === 'ctrTitle') && texts.length > 0) onTitle(texts.join(' '));
      else if (texts.length > 0) items.push({ kind: 'paragraphs', texts });
      break;
    }
    case 'grpSp':
      for (const child of childrenOf(shape)) visitShape(child, items, onTitle);
      break;
    case 'graphicFrame': {
      const table = descendantsNamed([shape], 'tbl')[0];
      if (table !== undefined) {
        items.push({ kind: 'table', rows: tableRows(table) });
        break;
      }
      const chart = descendantsNamed([shape], 'chart')[0];
      const relationshipId = chart === undefined ? undefined : attributeOf(chart, 'id');
      if (relationshipId !== undefined) items.push({ kind: 'chart', relationshipId });
      break;
    }
    case 'pic': {
      const properties = pathOf(shape, ['nvPicPr', 'cNvPr']);
      const description = collapseWhitespace(
        (properties === undefined
          ? undefined
          : (attributeOf(properties, 'descr') ?? attributeOf(properties, 'title'))) ?? '',
      );
      if (description !== '') items.push({ kind: 'image', description });
      break;
    }
    case 'AlternateContent': {
      // Newer features come with a fallback for older readers; reading both would say it twice.
      const choice = childNamed(shape, 'Fallback') ?? childNamed(shape, 'Choice');
      for (const child of choice === undefined ? [] : childrenOf(choice)) visitShape(child, items, onTitle);
      break;
    }
    default:
      break;
  }
}

function placeholderType(shape: XmlNode): string | undefined {
  const placeholder = pathOf(shape, ['nvSpPr', 'nvPr', 'ph']);
  if (placeholder === undefined) return undefined;
  // A placeholder without a type is the body placeholder.
  return attributeOf(placeholder, 'type') ?? 'body';
}

/** The text of each `<a:p>` of a shape's text body; line breaks inside a paragraph are kept. */
function shapeParagraphs(shape: XmlNode): string[] {
  const body = childNamed(shape, 'txBody');
  if (body === undefined) return [];
  return childrenNamed(body, 'p')
    .map((paragraph) =>
      childrenOf(paragraph)
        .map((run) => {
          const name = nameOf(run);
          if (name === 'br') return '\n';
          return name === 'r' || name === 'fld' ? textOfElements(run, 't') : '';
        })
        .join(''),
    )
    .filter((text) => text.trim() !== '');
}

function tableRows(table: XmlNode): string[][] {
  return childrenNamed(table, 'tr').map((row) =>
    childrenNamed(row, 'tc').map((cell) =>
      // Cells merged into their neighbour repeat nothing of their own.
      attributeOf(cell, 'hMerge') === '1' || attributeOf(cell, 'vMerge') === '1'
        ? ''
        : shapeParagraphs(cell).join(' '),
    ),
  );
}

function firstHeading(blocks: StructuredDocument['blocks']): string | undefined {
  const heading = blocks.find((block) => block.kind === 'heading');
  return heading?.kind === 'heading' ? heading.text : undefined;
}
