/**
 * The structured document every parser produces and every later stage (chunking, citations,
 * the UI's source view) consumes. Parsers keep structure, not styling: headings with their
 * level, paragraphs, tables as rows of cells, and the page each block came from.
 */
export type DocumentFormat =
  | 'pdf'
  | 'docx'
  | 'pptx'
  | 'xlsx'
  | 'csv'
  | 'html'
  | 'markdown'
  | 'text'
  | 'epub'
  | 'rss';

export interface HeadingBlock {
  readonly kind: 'heading';
  /** 1 for the top level. */
  readonly level: number;
  readonly text: string;
  readonly page?: number;
}

export interface ParagraphBlock {
  readonly kind: 'paragraph';
  readonly text: string;
  readonly page?: number;
}

export interface TableBlock {
  readonly kind: 'table';
  /** Rows of cell texts; when `hasHeader`, the first row names the columns. */
  readonly rows: readonly (readonly string[])[];
  readonly hasHeader: boolean;
  /** Sheet name, slide title or caption, when the source has one. */
  readonly caption?: string;
  readonly page?: number;
}

export interface CodeBlock {
  readonly kind: 'code';
  readonly text: string;
  readonly language?: string;
  readonly page?: number;
}

export type DocumentBlock = HeadingBlock | ParagraphBlock | TableBlock | CodeBlock;

export interface StructuredDocument {
  readonly format: DocumentFormat;
  readonly title?: string;
  readonly blocks: readonly DocumentBlock[];
  /** Number of pages (PDF), slides (PPTX) or sheets (XLSX) when meaningful. */
  readonly pageCount?: number;
  /** Source metadata worth keeping (author, created date, sheet names…), strings only. */
  readonly metadata: Readonly<Record<string, string>>;
}

export interface ParserInput {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  /** The media type the client declared; advisory only, content decides. */
  readonly declaredMediaType?: string;
}

export interface ParserLimits {
  /** Upper bound on bytes inflated from an archive (DOCX/PPTX/XLSX/EPUB are zips). */
  readonly maxUncompressedBytes: number;
  /** Upper bound on extracted characters, so a pathological file cannot exhaust memory. */
  readonly maxCharacters: number;
}

export interface DocumentParser {
  readonly format: DocumentFormat;
  parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument>;
}
