import ExcelJS from 'exceljs';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { BlockCollector } from './block-collector.js';
import { readOfficeProperties } from './office-properties.js';
import { looksLikeHeaderRow } from './table-header.js';
import { ZipArchive } from './zip-archive.js';

const LABEL = 'Excel workbook';

/**
 * XLSX through exceljs: every sheet becomes a heading (sheets are the sections of a workbook, and
 * the chunker splits on headings) followed by one table whose caption is the sheet name; `page` is
 * the sheet's position. Cells hold their stored values, not Excel's display formatting: formulas
 * give their cached result, dates become ISO dates.
 */
export const xlsxParser: DocumentParser = {
  format: 'xlsx',
  async parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    const archive = await ZipArchive.openWithinLimits(input.bytes, limits, LABEL);
    // exceljs inflates the archive again on its own; check now that no entry lies about its size.
    await archive.verifyEntries(signal);
    const workbook = new ExcelJS.Workbook();
    try {
      await workbook.xlsx.load(Buffer.from(input.bytes) as unknown as ExcelJS.Buffer);
    } catch (error) {
      throw new DocumentError(
        'corrupt_document',
        `the ${LABEL} is damaged and cannot be read (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }

    const collector = new BlockCollector(limits.maxCharacters);
    const sheetNames: string[] = [];
    for (const [index, sheet] of workbook.worksheets.entries()) {
      signal?.throwIfAborted();
      const page = index + 1;
      sheetNames.push(sheet.name);
      const rows = sheetRows(sheet, collector);
      collector.heading(sheet.name, 1, page);
      collector.table(rows, { hasHeader: looksLikeHeaderRow(rows), caption: sheet.name, page });
    }

    const properties = await readOfficeProperties(archive, signal);
    return {
      format: 'xlsx',
      ...(properties['title'] === undefined ? {} : { title: properties['title'] }),
      blocks: collector.blocks,
      pageCount: workbook.worksheets.length,
      metadata: { ...properties, sheetNames: JSON.stringify(sheetNames) },
    };
  },
};

/** The sheet's non-empty rows, trimmed to the columns that hold anything. */
function sheetRows(sheet: ExcelJS.Worksheet, collector: BlockCollector): string[][] {
  const rows: string[][] = [];
  let characters = 0;
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      // A merged range shows its value once; the covered cells would only repeat it.
      const covered = cell.isMerged && cell.master !== cell;
      cells[column - 1] = covered ? '' : cellText(cell.value);
    });
    const filled = Array.from(cells, (cell) => cell ?? '');
    if (filled.every((cell) => cell.trim() === '')) return;
    characters += filled.reduce((sum, cell) => sum + cell.length, 0);
    // Fail as soon as a huge sheet crosses the limit, not after building all of it.
    collector.reserve(characters);
    rows.push(filled);
  });
  const width = rows.reduce((widest, row) => Math.max(widest, lastFilledIndex(row) + 1), 0);
  return rows.map((row) => Array.from({ length: width }, (_, column) => row[column] ?? ''));
}

function lastFilledIndex(row: readonly string[]): number {
  for (let index = row.length - 1; index >= 0; index -= 1) if ((row[index] ?? '').trim() !== '') return index;
  return -1;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  // Binary floating point shows 0.1 + 0.2 as 0.30000000000000004; Excel shows 15 digits at most.
  if (typeof value === 'number') return String(Number(value.toPrecision(15)));
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return formatDate(value);
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record['richText'])) {
      return (record['richText'] as { text?: unknown }[]).map((part) => cellText(part.text)).join('');
    }
    if ('hyperlink' in record) return cellText(record['text']);
    if ('formula' in record || 'sharedFormula' in record) return cellText(record['result']);
    if ('error' in record) return cellText(record['error']);
  }
  return '';
}

/** Dates are stored as UTC instants; a whole day prints as a plain date. */
function formatDate(date: Date): string {
  if (Number.isNaN(date.getTime())) return '';
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
}
