import type { DocumentBlock } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';

/**
 * Every parser funnels its output through one collector so that whitespace is normalised the same
 * way for all formats, empty blocks never reach the chunker, and the character limit is enforced
 * while text is produced (a pathological file fails early instead of after exhausting memory).
 */
export class BlockCollector {
  readonly #blocks: DocumentBlock[] = [];
  readonly #maxCharacters: number;
  #characters = 0;

  constructor(maxCharacters: number) {
    this.#maxCharacters = maxCharacters;
  }

  get blocks(): readonly DocumentBlock[] {
    return this.#blocks;
  }

  get characterCount(): number {
    return this.#characters;
  }

  /** Fails as soon as `extra` more characters would cross the limit; callers building big tables use it. */
  reserve(extra: number): void {
    if (this.#characters + extra > this.#maxCharacters) throw documentTooLarge(this.#maxCharacters);
  }

  heading(text: string, level: number, page?: number): void {
    const clean = collapseWhitespace(text);
    if (clean === '') return;
    const clampedLevel = Math.min(6, Math.max(1, Math.round(level)));
    this.#push({ kind: 'heading', level: clampedLevel, text: clean, ...pageField(page) }, clean.length);
  }

  paragraph(text: string, page?: number): void {
    const clean = normaliseParagraph(text);
    if (clean === '') return;
    this.#push({ kind: 'paragraph', text: clean, ...pageField(page) }, clean.length);
  }

  code(text: string, language?: string, page?: number): void {
    // Code keeps its indentation and line breaks; only the surrounding blank lines go.
    const clean = text.replace(/\r\n?/g, '\n').replace(/^\n+|\s+$/g, '');
    if (clean.trim() === '') return;
    const languageField =
      language === undefined || language.trim() === '' ? {} : { language: language.trim() };
    this.#push({ kind: 'code', text: clean, ...languageField, ...pageField(page) }, clean.length);
  }

  table(
    rows: readonly (readonly string[])[],
    options: { hasHeader: boolean; caption?: string; page?: number },
  ): void {
    const cleanRows = rows
      .map((row) => row.map((cell) => collapseWhitespace(cell)))
      .filter((row) => row.some((cell) => cell !== ''));
    if (cleanRows.length === 0) return;
    // Reduced rather than spread: a big CSV has more rows than a call can take arguments.
    const width = cleanRows.reduce((widest, row) => Math.max(widest, row.length), 0);
    // Pad ragged rows so that every consumer can rely on a rectangular grid.
    const rectangular = cleanRows.map((row) =>
      row.length === width ? row : [...row, ...Array.from({ length: width - row.length }, () => '')],
    );
    const caption = options.caption === undefined ? '' : collapseWhitespace(options.caption);
    const characters =
      rectangular.reduce((sum, row) => sum + row.reduce((rowSum, cell) => rowSum + cell.length, 0), 0) +
      caption.length;
    this.#push(
      {
        kind: 'table',
        rows: rectangular,
        hasHeader: options.hasHeader && rectangular.length > 1,
        ...(caption === '' ? {} : { caption }),
        ...pageField(options.page),
      },
      characters,
    );
  }

  #push(block: DocumentBlock, characters: number): void {
    this.reserve(characters);
    this.#characters += characters;
    this.#blocks.push(block);
  }
}

export function documentTooLarge(maxCharacters: number): DocumentError {
  return new DocumentError(
    'document_too_large',
    `the document's text exceeds the limit of ${maxCharacters.toLocaleString('en-US')} characters; split it into smaller files`,
  );
}

function pageField(page: number | undefined): { page?: number } {
  return page === undefined ? {} : { page };
}

// Soft hyphens, zero-width spaces, invisible math operators and stray byte-order marks are
// invisible in the source and only break searching. Zero-width (non-)joiners stay: Persian and
// Indic scripts need them to spell words.
const INVISIBLE_CHARACTERS = /[\u00ad\u200b\u2060-\u2064\ufeff]/g;

export function collapseWhitespace(text: string): string {
  return text.replace(INVISIBLE_CHARACTERS, '').replace(/\s+/g, ' ').trim();
}

/** Keeps deliberate line breaks (a `<br>`, an address block) but nothing else of the source layout. */
export function normaliseParagraph(text: string): string {
  return text
    .replace(INVISIBLE_CHARACTERS, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}
