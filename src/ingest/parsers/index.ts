import type {
  DocumentFormat,
  DocumentParser,
  ParserInput,
  ParserLimits,
  StructuredDocument,
} from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { csvParser } from './csv-parser.js';
import { detectFormat } from './detect-format.js';
import { docxParser } from './docx-parser.js';
import { epubParser } from './epub-parser.js';
import { htmlParser } from './html-parser.js';
import { markdownParser } from './markdown-parser.js';
import { pdfParser } from './pdf-parser.js';
import { pptxParser } from './pptx-parser.js';
import { rssParser } from './rss-parser.js';
import { textParser } from './text-parser.js';
import { xlsxParser } from './xlsx-parser.js';

export { detectFormat } from './detect-format.js';
export { renderBlock, renderDocumentAsText } from './render-document.js';

const PARSERS: Readonly<Record<DocumentFormat, DocumentParser>> = {
  pdf: pdfParser,
  docx: docxParser,
  pptx: pptxParser,
  xlsx: xlsxParser,
  csv: csvParser,
  html: htmlParser,
  markdown: markdownParser,
  text: textParser,
  epub: epubParser,
  rss: rssParser,
};

export function parserFor(format: DocumentFormat): DocumentParser {
  return PARSERS[format];
}

/**
 * Detects the format from the content, then parses. Every refusal is a `DocumentError` whose code
 * says why (unsupported, mismatched, empty, corrupt, scanned, too large, encrypted); an abort
 * rejects with the signal's reason.
 */
export async function parseDocument(
  input: ParserInput,
  limits: ParserLimits,
  signal?: AbortSignal,
): Promise<StructuredDocument> {
  signal?.throwIfAborted();
  const format = await detectFormat(input);
  const document = await PARSERS[format].parse(input, limits, signal);
  // A document that parses to nothing would be indexed as nothing; saying so is more useful.
  if (document.blocks.length === 0) {
    throw new DocumentError('empty_document', `${input.fileName} contains no text (${format})`);
  }
  return document;
}
