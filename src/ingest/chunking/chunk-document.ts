/**
 * Splits a structured document into chunks for embedding and BM25, guided by its structure:
 *
 * - A heading starts a new chunk, and every chunk carries its heading path ("Title > Section >
 *   Subsection") in `text`, so a chunk that says "it supports three modes" still says what "it" is.
 *   Headings themselves are not repeated in `content`: the path already holds them.
 * - Within a section, whole blocks are packed up to the token budget. When the next block would not
 *   fit but fits a chunk of its own, and the current chunk is at least half full, the chunk ends at
 *   the block boundary instead of cutting the block.
 * - Long paragraphs split at sentence ends (see split-sentences.ts); a sentence longer than a whole
 *   chunk is the only thing ever cut inside (split-to-budget.ts).
 * - Tables split only between rows. A chunk that starts inside a table repeats the table's caption
 *   and header row in `text` (not in `content`, which must stay a slice of the plain text).
 * - Consecutive chunks of a section overlap by whole sentences (never table rows), up to
 *   `overlapTokens`.
 * - A tiny last piece of a section (under `minTokens` of new text) is merged into the previous chunk
 *   when that fits the budget, or the boundary moves back so that the last chunk gets enough text.
 *
 * `tokenCount` (of `text`, context included) stays within `maxTokens` except for a single table row
 * that alone exceeds it. Offsets point into `renderPlainText(document)`.
 */
import { z } from 'zod';

import type { StructuredDocument } from '../../core/document.js';
import { ValidationError } from '../../core/errors.js';
import { countTokens } from '../analysis/count-tokens.js';
import { type BlockLayout, type TextRange, layoutPlainText } from './render-plain-text.js';
import { splitSentences } from './split-sentences.js';
import { splitToBudget } from './split-to-budget.js';

export interface Chunk {
  /** Position of the chunk in the document, from 0. */
  readonly index: number;
  /** What gets embedded and indexed: heading path (and repeated table header) plus `content`. */
  readonly text: string;
  /** The chunk's own text: exactly `renderPlainText(document).slice(startOffset, endOffset)`. */
  readonly content: string;
  /** Document title (when known) and the headings above the chunk, outermost first. */
  readonly sectionPath: string[];
  /** Pages (or slides, sheets) the content comes from: sorted, unique, empty when unknown. */
  readonly pages: number[];
  readonly startOffset: number;
  readonly endOffset: number;
  /** Estimated tokens of `text` (see count-tokens.ts). */
  readonly tokenCount: number;
}

export const chunkOptionsSchema = z
  .object({
    maxTokens: z.number().int().min(16),
    overlapTokens: z.number().int().min(0),
    /** New text below which a section's last chunk counts as tiny; default an eighth of the budget. */
    minTokens: z.number().int().min(0).optional(),
  })
  .refine((options) => options.overlapTokens <= options.maxTokens / 2, {
    message: 'overlapTokens must be at most half of maxTokens',
    path: ['overlapTokens'],
  });

export type ChunkOptions = z.input<typeof chunkOptionsSchema>;

/** Share of the budget a chunk must fill before it may end early at a block boundary. */
const fillBeforeBlockBreak = 0.5;
/** Share of the budget the heading path may take; longer paths are cut from the front. */
const maxContextShare = 0.25;

interface TableContext {
  readonly text: string;
  readonly tokens: number;
}

/** The unit of packing: a sentence, a code line or a table row (header glued to the first row). */
interface Atom extends TextRange {
  readonly tokens: number;
  readonly kind: 'text' | 'row';
  /** First atom of its block. */
  readonly startsBlock: boolean;
  /** Index of its block in the layout. */
  readonly block: number;
  readonly page: number | undefined;
  /** For a table row that is not the table's first: the caption and header to repeat. */
  readonly tableContext: TableContext | undefined;
}

interface Section {
  readonly path: string[];
  /** The heading path as written into `text`, possibly shortened (see pathContext). */
  readonly context: string;
  /** Tokens available to content once the heading path is paid for. */
  readonly budget: number;
  readonly atoms: Atom[];
}

/** A chunk before assembly: atoms [begin, end), of which [first, end) are new (the rest overlap). */
interface Draft {
  readonly begin: number;
  readonly first: number;
  readonly end: number;
}

export function chunkDocument(document: StructuredDocument, options: ChunkOptions): Chunk[] {
  const parsed = chunkOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError(
      'Invalid chunking options',
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  const { maxTokens, overlapTokens } = parsed.data;
  const minTokens = parsed.data.minTokens ?? Math.floor(maxTokens / 8);
  const layout = layoutPlainText(document);
  const chunks: Chunk[] = [];
  for (const section of collectSections(document, layout.blocks, layout.text, maxTokens)) {
    const packer = new SectionPacker(section.atoms, section.budget, overlapTokens, minTokens);
    for (const draft of packer.pack()) chunks.push(assemble(layout.text, section, draft, chunks.length));
  }
  return chunks;
}

function pathContext(path: readonly string[], maxTokens: number): { text: string; tokens: number } {
  const limit = Math.floor(maxTokens * maxContextShare);
  let elements = [...path];
  let text = elements.join(' > ');
  // Outer headings are the least specific: drop them first when the path is too long.
  while (elements.length > 1 && countTokens(text) > limit) {
    elements = elements.slice(1);
    text = elements.join(' > ');
  }
  if (countTokens(text) > limit) {
    const first = splitToBudget(text, { start: 0, end: text.length }, limit)[0];
    text = first === undefined ? '' : text.slice(first.start, first.end);
  }
  return { text, tokens: countTokens(text) };
}

function collectSections(
  document: StructuredDocument,
  blocks: readonly BlockLayout[],
  text: string,
  maxTokens: number,
): Section[] {
  const title = document.title?.replace(/\s+/g, ' ').trim();
  const headings: { level: number; text: string }[] = [];
  const currentPath = (): string[] => {
    const path = title === undefined || title.length === 0 ? [] : [title];
    for (const heading of headings) {
      // Parsers often repeat the title as the first heading; say it once.
      if (path.at(-1) !== heading.text) path.push(heading.text);
    }
    return path;
  };
  const openSection = (): Section => {
    const path = currentPath();
    const context = pathContext(path, maxTokens);
    // The path never takes more than a quarter (maxContextShare), so content keeps most of the room.
    return { path, context: context.text, budget: maxTokens - context.tokens, atoms: [] };
  };
  const sections: Section[] = [];
  let current = openSection();
  blocks.forEach((layout, blockIndex) => {
    const block = layout.block;
    if (block.kind === 'heading') {
      if (current.atoms.length > 0) sections.push(current);
      while ((headings.at(-1)?.level ?? 0) >= block.level) headings.pop();
      headings.push({ level: block.level, text: text.slice(layout.start, layout.end) });
      current = openSection();
      return;
    }
    current.atoms.push(...blockAtoms(text, layout, blockIndex, current.budget));
  });
  if (current.atoms.length > 0) sections.push(current);
  return sections;
}

function blockAtoms(text: string, layout: BlockLayout, blockIndex: number, pieceBudget: number): Atom[] {
  const page = layout.block.page;
  const atoms: Atom[] = [];
  const push = (range: TextRange, kind: Atom['kind'], tableContext?: TableContext): void => {
    atoms.push({
      ...range,
      tokens: countTokens(text.slice(range.start, range.end)),
      kind,
      startsBlock: atoms.length === 0,
      block: blockIndex,
      page,
      tableContext,
    });
  };
  if (layout.table !== undefined) {
    const { caption, header, rows } = layout.table;
    const contextLines = [caption, header].filter((range) => range !== undefined);
    const contextText = contextLines.map((range) => text.slice(range.start, range.end)).join('\n');
    const tableContext =
      contextText.length > 0 ? { text: contextText, tokens: countTokens(contextText) } : undefined;
    // Caption and header never end a chunk: they are glued to the first body row.
    const [firstRow, ...otherRows] = rows;
    const gluedEnd = firstRow?.end ?? header?.end ?? caption?.end ?? layout.end;
    push({ start: layout.start, end: gluedEnd }, 'row');
    for (const row of otherRows) push(row, 'row', tableContext);
    return atoms;
  }
  const blockRange = { start: layout.start, end: layout.end };
  const pieces = layout.block.kind === 'code' ? codeLines(text, blockRange) : sentencesOf(text, blockRange);
  for (const piece of pieces) {
    for (const fitted of splitToBudget(text, piece, pieceBudget)) push(fitted, 'text');
  }
  return atoms;
}

function sentencesOf(text: string, range: TextRange): TextRange[] {
  return splitSentences(text.slice(range.start, range.end)).map((sentence) => ({
    start: range.start + sentence.start,
    end: range.start + sentence.end,
  }));
}

function codeLines(text: string, range: TextRange): TextRange[] {
  const lines: TextRange[] = [];
  let start = range.start;
  while (start < range.end) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 || newline > range.end ? range.end : newline;
    // Keep indentation (it is part of code), skip blank lines.
    if (text.slice(start, end).trim().length > 0) lines.push({ start, end: trimEnd(text, start, end) });
    start = end + 1;
  }
  return lines;
}

function trimEnd(text: string, start: number, end: number): number {
  let trimmed = end;
  while (trimmed > start && /\s/.test(text[trimmed - 1] ?? '')) trimmed -= 1;
  return trimmed;
}

class SectionPacker {
  /** Tokens from each atom to the end of its block, for the block-boundary rule. */
  private readonly blockRemaining: number[];
  private readonly prefixTokens: number[];

  constructor(
    private readonly atoms: readonly Atom[],
    private readonly budget: number,
    private readonly overlapTokens: number,
    private readonly minTokens: number,
  ) {
    this.blockRemaining = new Array<number>(atoms.length).fill(0);
    for (let index = atoms.length - 1; index >= 0; index -= 1) {
      const atom = atoms[index];
      const next = atoms[index + 1];
      if (atom === undefined) continue;
      const sameBlock = next !== undefined && next.block === atom.block;
      this.blockRemaining[index] = atom.tokens + (sameBlock ? (this.blockRemaining[index + 1] ?? 0) : 0);
    }
    this.prefixTokens = [0];
    for (const atom of atoms) this.prefixTokens.push((this.prefixTokens.at(-1) ?? 0) + atom.tokens);
  }

  pack(): Draft[] {
    const drafts: Draft[] = [];
    let next = 0;
    while (next < this.atoms.length) {
      const draft = this.draftFrom(next, drafts.at(-1));
      drafts.push(draft);
      next = draft.end;
    }
    this.mendTinyTail(drafts);
    return drafts;
  }

  private tokens(from: number, to: number): number {
    return (this.prefixTokens[to] ?? 0) - (this.prefixTokens[from] ?? 0);
  }

  private available(first: number): number {
    return this.budget - (this.atoms[first]?.tableContext?.tokens ?? 0);
  }

  /** Builds the chunk whose new text starts at atom `first`, after `previous` in the same section. */
  private draftFrom(first: number, previous: Draft | undefined, mustReachEnd = false): Draft {
    const available = this.available(first);
    const begin = this.overlapStart(first, previous, available);
    let used = this.tokens(begin, first);
    let end = first;
    while (end < this.atoms.length) {
      const atom = this.atoms[end];
      if (atom === undefined) break;
      if (end > first) {
        if (used + atom.tokens > available) break;
        const blockTokens = this.blockRemaining[end] ?? 0;
        const breakAtBlock =
          !mustReachEnd &&
          atom.startsBlock &&
          used >= available * fillBeforeBlockBreak &&
          used + blockTokens > available &&
          blockTokens <= this.available(end);
        if (breakAtBlock) break;
      }
      used += atom.tokens;
      end += 1;
    }
    return { begin, first, end };
  }

  /** First atom of the overlap: whole sentences from the end of the previous chunk. */
  private overlapStart(first: number, previous: Draft | undefined, available: number): number {
    if (previous === undefined || this.overlapTokens === 0) return first;
    const firstAtom = this.atoms[first];
    if (firstAtom === undefined || firstAtom.tableContext !== undefined) return first;
    const room = Math.min(this.overlapTokens, available - firstAtom.tokens);
    let begin = first;
    // Never repeat the whole previous chunk, and never a table row.
    while (begin - 1 > previous.begin) {
      const candidate = this.atoms[begin - 1];
      if (candidate === undefined || candidate.kind !== 'text') break;
      if (this.tokens(begin - 1, first) > room) break;
      begin -= 1;
    }
    return begin;
  }

  private mendTinyTail(drafts: Draft[]): void {
    const last = drafts.at(-1);
    const previous = drafts.at(-2);
    if (last === undefined || previous === undefined) return;
    if (this.tokens(last.first, last.end) >= this.minTokens) return;
    if (this.tokens(previous.begin, last.end) <= this.available(previous.first)) {
      drafts.splice(-2, 2, { begin: previous.begin, first: previous.first, end: last.end });
      return;
    }
    // Move the boundary back, one atom at a time, until the last chunk has enough new text.
    for (let first = last.first - 1; first > previous.first; first -= 1) {
      const shortened: Draft = { ...previous, end: first };
      const candidate = this.draftFrom(first, shortened, true);
      if (candidate.end < this.atoms.length) return;
      if (this.tokens(candidate.first, candidate.end) >= this.minTokens) {
        drafts.splice(-2, 2, shortened, candidate);
        return;
      }
    }
  }
}

function assemble(plainText: string, section: Section, draft: Draft, index: number): Chunk {
  const atoms = section.atoms.slice(draft.begin, draft.end);
  const firstAtom = atoms[0];
  const lastAtom = atoms.at(-1);
  if (firstAtom === undefined || lastAtom === undefined) throw new Error('A chunk draft cannot be empty');
  const content = plainText.slice(firstAtom.start, lastAtom.end);
  // A repeated table header sits on the line right above the rows it names, as in the table itself.
  const body = firstAtom.tableContext === undefined ? content : `${firstAtom.tableContext.text}\n${content}`;
  const text = section.context.length === 0 ? body : `${section.context}\n\n${body}`;
  const pages = [...new Set(atoms.map((atom) => atom.page).filter((page) => page !== undefined))].sort(
    (left, right) => left - right,
  );
  return {
    index,
    text,
    content,
    sectionPath: [...section.path],
    pages,
    startOffset: firstAtom.start,
    endOffset: lastAtom.end,
    tokenCount: countTokens(text),
  };
}
