/**
 * The canonical plain text of a structured document: what chunk offsets, citations and the UI's
 * source view all point into. `renderPlainText(document).slice(chunk.startOffset, chunk.endOffset)`
 * is exactly `chunk.content`, so this rendering is a contract: change it only with a migration of
 * stored offsets.
 *
 * Blocks are separated by a blank line. Headings, paragraphs and code keep their text (trimmed);
 * a table renders its caption on one line, then one line per row with cells joined by " | " (cell
 * whitespace collapsed so a row stays one line). Empty blocks and rows are skipped. The document
 * title is metadata, not text: chunks carry it in their heading path instead.
 */
import type { DocumentBlock, StructuredDocument, TableBlock } from '../../core/document.js';

export const blockSeparator = '\n\n';
export const cellSeparator = ' | ';

export interface TextRange {
  readonly start: number;
  readonly end: number;
}

export interface TableLayout {
  readonly caption?: TextRange;
  /** The rendered header row, when the table has one. */
  readonly header?: TextRange;
  /** Body rows (the header excluded), in order. */
  readonly rows: readonly TextRange[];
}

export interface BlockLayout extends TextRange {
  readonly block: DocumentBlock;
  /** Present for tables. */
  readonly table?: TableLayout;
}

export interface PlainTextLayout {
  readonly text: string;
  /** The rendered blocks in document order; empty blocks are absent. */
  readonly blocks: readonly BlockLayout[];
}

const whitespaceRun = /\s+/g;

function renderCell(cell: string): string {
  return cell.replace(whitespaceRun, ' ').trim();
}

function renderRow(row: readonly string[]): string | undefined {
  const cells = row.map(renderCell);
  return cells.some((cell) => cell.length > 0) ? cells.join(cellSeparator) : undefined;
}

function trimBlankLines(text: string): string {
  // Code keeps its leading indentation; only blank lines around it and trailing spaces go.
  return text.replace(/^(?:[ \t]*\r?\n)+/, '').trimEnd();
}

/** Renders a table's lines and their ranges relative to the table's first character. */
function renderTable(table: TableBlock): { text: string; layout: TableLayout } | undefined {
  const lines: string[] = [];
  let offset = 0;
  const push = (line: string): TextRange => {
    if (lines.length > 0) offset += 1; // the "\n" before this line
    const range = { start: offset, end: offset + line.length };
    lines.push(line);
    offset = range.end;
    return range;
  };
  const caption = table.caption === undefined ? '' : renderCell(table.caption);
  const captionRange = caption.length > 0 ? push(caption) : undefined;
  let header: TextRange | undefined;
  const rows: TextRange[] = [];
  table.rows.forEach((row, rowIndex) => {
    const line = renderRow(row);
    if (line === undefined) return;
    if (rowIndex === 0 && table.hasHeader) header = push(line);
    else rows.push(push(line));
  });
  if (header === undefined && rows.length === 0) return undefined;
  const layout: TableLayout = {
    rows,
    ...(captionRange === undefined ? {} : { caption: captionRange }),
    ...(header === undefined ? {} : { header }),
  };
  return { text: lines.join('\n'), layout };
}

function shift(range: TextRange, by: number): TextRange {
  return { start: range.start + by, end: range.end + by };
}

export function layoutPlainText(document: StructuredDocument): PlainTextLayout {
  const parts: string[] = [];
  const blocks: BlockLayout[] = [];
  let offset = 0;
  const place = (block: DocumentBlock, rendered: string, table?: TableLayout): void => {
    if (parts.length > 0) offset += blockSeparator.length;
    const start = offset;
    parts.push(rendered);
    offset += rendered.length;
    if (table === undefined) {
      blocks.push({ block, start, end: offset });
      return;
    }
    const absolute: TableLayout = {
      rows: table.rows.map((row) => shift(row, start)),
      ...(table.caption === undefined ? {} : { caption: shift(table.caption, start) }),
      ...(table.header === undefined ? {} : { header: shift(table.header, start) }),
    };
    blocks.push({ block, start, end: offset, table: absolute });
  };
  for (const block of document.blocks) {
    switch (block.kind) {
      case 'heading': {
        const text = block.text.replace(whitespaceRun, ' ').trim();
        if (text.length > 0) place(block, text);
        break;
      }
      case 'paragraph': {
        const text = block.text.trim();
        if (text.length > 0) place(block, text);
        break;
      }
      case 'code': {
        const text = trimBlankLines(block.text);
        if (text.length > 0) place(block, text);
        break;
      }
      case 'table': {
        const rendered = renderTable(block);
        if (rendered !== undefined) place(block, rendered.text, rendered.layout);
        break;
      }
    }
  }
  return { text: parts.join(blockSeparator), blocks };
}

export function renderPlainText(document: StructuredDocument): string {
  return layoutPlainText(document).text;
}
