import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { BlockCollector, documentTooLarge } from './block-collector.js';
import type { PageRegion, PdfTextItem } from './pdf-layout.js';
import { layoutPage } from './pdf-layout.js';
import { looksLikeHeaderRow } from './table-header.js';
import { plausibleMetadataTitle } from '../document-title.js';

/**
 * PDF through pdf.js (the legacy build, which runs in Node). pdf.js gives positioned text runs per
 * page; `layoutPage` rebuilds lines, paragraphs and tables from their geometry, and here we decide
 * which paragraphs are headings (markedly larger than the body text) and attach page numbers.
 *
 * Refusals: a PDF whose pages carry (almost) no text is a scan and needs OCR; a PDF that asks for
 * a password is encrypted; one that pdf.js cannot open, or that stops before its end-of-file
 * marker (an interrupted upload), is corrupt.
 */

/** Fewer characters than this per page on average means the pages are images of text. */
const MIN_CHARACTERS_PER_PAGE = 10;
/** A paragraph this much larger than the body text, and short, is a heading. */
const HEADING_SIZE_RATIO = 1.1;
const MAX_HEADING_LENGTH = 150;

// pdf.js needs its character maps to decode CJK fonts that use predefined encodings, and its
// standard fonts to measure the 14 base fonts; both ship inside the package.
const PDFJS_DIRECTORY = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const CMAP_URL = `${join(PDFJS_DIRECTORY, 'cmaps')}/`;
const STANDARD_FONT_DATA_URL = `${join(PDFJS_DIRECTORY, 'standard_fonts')}/`;

export const pdfParser: DocumentParser = {
  format: 'pdf',
  async parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    signal?.throwIfAborted();
    assertComplete(input);
    // pdf.js takes ownership of (and detaches) the buffer it is given: hand it a copy.
    const loadingTask = getDocument({
      data: new Uint8Array(input.bytes),
      cMapUrl: CMAP_URL,
      cMapPacked: true,
      standardFontDataUrl: STANDARD_FONT_DATA_URL,
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: VerbosityLevel.ERRORS,
    });
    try {
      const pdf = await loadingTask.promise.catch((error: unknown) => {
        throw openingError(error);
      });
      if (pdf.numPages === 0) throw new DocumentError('empty_document', 'the PDF has no pages');

      const pages: { readonly page: number; readonly regions: PageRegion[] }[] = [];
      const pagesWithoutText: number[] = [];
      let characters = 0;
      for (let pageNumber = 1; pageNumber <= pdf.numPages; pageNumber += 1) {
        signal?.throwIfAborted();
        const page = await pdf.getPage(pageNumber);
        const content = await page.getTextContent();
        page.cleanup();
        const items: PdfTextItem[] = [];
        for (const item of content.items) {
          if (!('str' in item) || item.str === '') continue;
          const [scaleX = 0, skewY = 0, skewX = 0, scaleY = 0, x = 0, y = 0] = item.transform as number[];
          // The font size is the length of the text matrix's vertical axis (rotation-proof).
          const fontSize = Math.hypot(skewX, scaleY) || Math.hypot(scaleX, skewY) || item.height;
          items.push({ text: item.str, x, y, width: item.width, fontSize });
        }
        const pageCharacters = items.reduce((sum, item) => sum + item.text.trim().length, 0);
        if (pageCharacters === 0) pagesWithoutText.push(pageNumber);
        characters += pageCharacters;
        // Fail fast on a huge document instead of laying out every page first.
        if (characters > limits.maxCharacters) throw documentTooLarge(limits.maxCharacters);
        pages.push({ page: pageNumber, regions: layoutPage(items) });
      }

      if (characters < MIN_CHARACTERS_PER_PAGE * pdf.numPages) {
        throw new DocumentError(
          'needs_ocr',
          `needs OCR: the PDF has no text layer (${characters} characters of text on ${pdf.numPages} page${pdf.numPages === 1 ? '' : 's'}); it is probably a scan, and text must be recognised from the page images first`,
        );
      }

      const collector = new BlockCollector(limits.maxCharacters);
      emitBlocks(pages, collector);
      const metadata = await readMetadata(pdf);
      if (pagesWithoutText.length > 0) metadata['pagesWithoutText'] = pagesWithoutText.join(',');
      // A title a tool wrote by itself ("Microsoft Word - draft.docx") names nothing: the
      // document's headings then decide (chooseDocumentTitle).
      const title = plausibleMetadataTitle(metadata['title']);
      return {
        format: 'pdf',
        ...(title === undefined ? {} : { title }),
        blocks: collector.blocks,
        pageCount: pdf.numPages,
        metadata,
      };
    } finally {
      await loadingTask.destroy();
    }
  },
};

/**
 * pdf.js repairs a truncated file silently and returns whatever pages survive. A PDF ends with
 * `%%EOF`; without it the upload was cut short, and indexing half a document without saying so
 * would be worse than refusing it.
 */
function assertComplete(input: ParserInput): void {
  const tail = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength).subarray(
    -2048,
  );
  if (!tail.includes('%%EOF', 0, 'latin1')) {
    throw new DocumentError(
      'corrupt_document',
      'the PDF is truncated or damaged: it does not end with the %%EOF marker (was the upload interrupted?)',
    );
  }
}

function openingError(error: unknown): DocumentError {
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'PasswordException') {
    return new DocumentError(
      'encrypted_document',
      'the PDF is password-protected; remove the password and upload it again',
      { cause: error },
    );
  }
  return new DocumentError('corrupt_document', `the PDF is damaged and cannot be opened (${message})`, {
    cause: error,
  });
}

/**
 * Headings are decided over the whole document: the body size is the font size carrying most
 * text, and larger sizes rank as heading levels (largest = 1), at most three of them.
 */
function emitBlocks(
  pages: readonly { readonly page: number; readonly regions: readonly PageRegion[] }[],
  collector: BlockCollector,
): void {
  const weightBySize = new Map<number, number>();
  for (const { regions } of pages) {
    for (const region of regions) {
      // Tables count too: in a form or an invoice they are most of the text.
      const characters = region.kind === 'text' ? region.text.length : region.rows.flat().join('').length;
      const size = roundSize(region.fontSize);
      weightBySize.set(size, (weightBySize.get(size) ?? 0) + characters);
    }
  }
  const bodySize = [...weightBySize.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 10;
  const isHeading = (region: PageRegion): boolean =>
    region.kind === 'text' &&
    roundSize(region.fontSize) >= bodySize * HEADING_SIZE_RATIO &&
    region.lineCount <= 2 &&
    region.text.length <= MAX_HEADING_LENGTH &&
    /\p{L}/u.test(region.text);
  const headingSizes = [
    ...new Set(
      pages.flatMap(({ regions }) =>
        regions.filter(isHeading).map((region) => (region.kind === 'text' ? roundSize(region.fontSize) : 0)),
      ),
    ),
  ].sort((a, b) => b - a);

  for (const { page, regions } of pages) {
    for (const region of regions) {
      if (region.kind === 'table') {
        collector.table(region.rows, { hasHeader: looksLikeHeaderRow(region.rows), page });
      } else if (isHeading(region)) {
        const level = Math.min(3, headingSizes.indexOf(roundSize(region.fontSize)) + 1);
        collector.heading(region.text, level, page);
      } else {
        collector.paragraph(region.text, page);
      }
    }
  }
}

function roundSize(size: number): number {
  return Math.round(size * 2) / 2;
}

interface PdfMetadataSource {
  getMetadata(): Promise<{ info: unknown }>;
}

async function readMetadata(pdf: PdfMetadataSource): Promise<Record<string, string>> {
  const metadata: Record<string, string> = {};
  try {
    const { info } = await pdf.getMetadata();
    const fields = (info ?? {}) as Record<string, unknown>;
    const keys: Record<string, string> = {
      Title: 'title',
      Author: 'author',
      Subject: 'subject',
      Keywords: 'keywords',
      Creator: 'creator',
      Producer: 'producer',
      CreationDate: 'created',
      ModDate: 'modified',
    };
    for (const [source, target] of Object.entries(keys)) {
      const value = fields[source];
      if (typeof value === 'string' && value.trim() !== '') metadata[target] = value.trim();
    }
  } catch {
    // Metadata is a bonus; a damaged info dictionary must not cost the text.
  }
  return metadata;
}
