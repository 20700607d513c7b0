import mammoth from 'mammoth';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { BlockCollector } from './block-collector.js';
import type { HtmlNode } from './html-to-blocks.js';
import { collectHtmlBlocks, inlineText, parseHtmlDocument } from './html-to-blocks.js';
import { readOfficeProperties } from './office-properties.js';
import { replaceEquationsWithText } from './office-math.js';
import { assertWellFormed } from './xml-tree.js';
import { ZipArchive } from './zip-archive.js';

const LABEL = 'Word document';
const MAIN_PART = 'word/document.xml';

/**
 * DOCX through mammoth, which maps Word's styles to semantic HTML (Heading 1 → h1, tables, lists)
 * that our HTML glue turns into blocks. Two things mammoth drops are put back: equations (rewritten
 * as text runs before mammoth reads the file) and comments (mammoth renders them only when asked,
 * as a list at the end; we keep each one as a "Comment:" paragraph). Images are left out: the
 * structured document holds text, and their bytes would only bloat it.
 */
export const docxParser: DocumentParser = {
  format: 'docx',
  async parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    const archive = await ZipArchive.openWithinLimits(input.bytes, limits, LABEL);
    if (!archive.has(MAIN_PART)) {
      throw new DocumentError('corrupt_document', `the ${LABEL} is incomplete: it has no ${MAIN_PART}`);
    }
    // mammoth inflates the archive again on its own; check now that no entry lies about its size.
    await archive.verifyEntries(signal);
    const documentXml = await archive.readText(MAIN_PART, signal);
    assertWellFormed(documentXml, MAIN_PART, LABEL);
    const withEquations = replaceEquationsWithText(documentXml);
    const buffer =
      withEquations === documentXml
        ? Buffer.from(input.bytes)
        : await archive.replaceEntry(MAIN_PART, withEquations);

    signal?.throwIfAborted();
    const html = await convertToHtml(buffer);
    const document = parseHtmlDocument(`<!DOCTYPE html><html><head></head><body>${html}</body></html>`);
    const body = document.body;
    if (body === null) throw new Error('linkedom produced no body for mammoth output');
    const comments = takeComments(document);

    const collector = new BlockCollector(limits.maxCharacters);
    collectHtmlBlocks(body, collector);
    for (const comment of comments) collector.paragraph(`Comment: ${comment}`);

    const properties = await readOfficeProperties(archive, signal);
    const title = properties['title'] ?? firstHeading(collector.blocks);
    return {
      format: 'docx',
      ...(title === undefined ? {} : { title }),
      blocks: collector.blocks,
      metadata: properties,
    };
  },
};

async function convertToHtml(buffer: Buffer): Promise<string> {
  try {
    const result = await mammoth.convertToHtml(
      { buffer },
      {
        styleMap: [
          // Word's Title and Subtitle styles are headings in all but name.
          "p[style-name='Title'] => h1:fresh",
          "p[style-name='Subtitle'] => h2:fresh",
          'comment-reference => sup',
        ],
        // Never read the image bytes: an empty element costs nothing and we drop it anyway.
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
        externalFileAccess: false,
      },
    );
    return result.value;
  } catch (error) {
    throw new DocumentError(
      'corrupt_document',
      `the ${LABEL} is damaged and cannot be read (${error instanceof Error ? error.message : String(error)})`,
      { cause: error },
    );
  }
}

type RemovableNode = HtmlNode & { remove(): void };

/**
 * Removes mammoth's comment markup from the DOM and returns the comments' texts. The in-text
 * comment markers ("[1]") would otherwise glue themselves to the commented words; the back-links
 * ("↑") after comments, footnotes and endnotes are navigation. Footnote markers stay: they tie a
 * sentence to its note.
 */
function takeComments(document: ReturnType<typeof parseHtmlDocument>): string[] {
  const markup =
    'a[id^="comment-ref-"], a[href^="#comment-ref-"], a[href^="#footnote-ref-"], a[href^="#endnote-ref-"]';
  for (const marker of Array.from(document.querySelectorAll(markup))) marker.remove();
  const comments: string[] = [];
  for (const term of Array.from(document.querySelectorAll('dt[id^="comment-"]')) as RemovableNode[]) {
    const definition = (term as unknown as { nextElementSibling: RemovableNode | null }).nextElementSibling;
    if (definition !== null && definition.nodeName.toLowerCase() === 'dd') {
      const text = inlineText(definition);
      if (text !== '') comments.push(text);
      definition.remove();
    }
    const list = (term as unknown as { parentNode: RemovableNode | null }).parentNode;
    term.remove();
    if (list !== null && list.nodeName.toLowerCase() === 'dl' && (list.textContent ?? '').trim() === '')
      list.remove();
  }
  return comments;
}

function firstHeading(blocks: StructuredDocument['blocks']): string | undefined {
  const heading = blocks.find((block) => block.kind === 'heading');
  return heading?.kind === 'heading' ? heading.text : undefined;
}
