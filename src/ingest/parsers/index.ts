import type {
  DocumentBlock,
  DocumentFormat,
  DocumentParser,
  ParserInput,
  ParserLimits,
  StructuredDocument,
} from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { cleanText } from '../../core/text-safety.js';
import { detectFormat } from './detect-format.js';

export { detectFormat } from './detect-format.js';
export { renderBlock, renderDocumentAsText } from './render-document.js';

// Loaded on first use: a parser thread then starts with only what its documents need (PDF.js,
// ExcelJS and mammoth are large, and a busy machine takes seconds to load all of them).
const PARSERS: Readonly<Record<DocumentFormat, () => Promise<DocumentParser>>> = {
  pdf: async () => (await import('./pdf-parser.js')).pdfParser,
  docx: async () => (await import('./docx-parser.js')).docxParser,
  pptx: async () => (await import('./pptx-parser.js')).pptxParser,
  xlsx: async () => (await import('./xlsx-parser.js')).xlsxParser,
  csv: async () => (await import('./csv-parser.js')).csvParser,
  html: async () => (await import('./html-parser.js')).htmlParser,
  markdown: async () => (await import('./markdown-parser.js')).markdownParser,
  text: async () => (await import('./text-parser.js')).textParser,
  epub: async () => (await import('./epub-parser.js')).epubParser,
  rss: async () => (await import('./rss-parser.js')).rssParser,
};

export function parserFor(format: DocumentFormat): Promise<DocumentParser> {
  return PARSERS[format]();
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
  const parser = await parserFor(format);
  const document = await parser.parse(input, limits, signal);
  // A document that parses to nothing would be indexed as nothing; saying so is more useful.
  if (document.blocks.length === 0) {
    throw new DocumentError('empty_document', `${input.fileName} contains no text (${format})`);
  }
  return cleanDocumentText(document);
}

/** NULs and lone surrogates cannot be stored in PostgreSQL text: drop or replace them. */
function cleanDocumentText(document: StructuredDocument): StructuredDocument {
  const blocks = document.blocks.map((block): DocumentBlock => {
    switch (block.kind) {
      case 'table':
        return {
          ...block,
          rows: block.rows.map((row) => row.map(cleanText)),
          ...(block.caption === undefined ? {} : { caption: cleanText(block.caption) }),
        };
      case 'code':
        return { ...block, text: cleanText(block.text), ...(block.language === undefined ? {} : { language: cleanText(block.language) }) };
      default:
        return { ...block, text: cleanText(block.text) };
    }
  });
  return {
    ...document,
    ...(document.title === undefined ? {} : { title: cleanText(document.title) }),
    blocks,
    metadata: Object.fromEntries(Object.entries(document.metadata).map(([key, value]) => [cleanText(key), cleanText(value)])),
  };
}
