import Papa from 'papaparse';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { BlockCollector } from './block-collector.js';
import { looksLikeHeaderRow } from './table-header.js';
import { requireText } from './text-decoding.js';

/**
 * A CSV (or TSV: papaparse guesses the delimiter) is one table. Papaparse's row-level complaints
 * (a row with too few fields) are not fatal: a ragged row is still data worth indexing.
 */
export const csvParser: DocumentParser = {
  format: 'csv',
  parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    signal?.throwIfAborted();
    const text = requireText(input, 'CSV');
    const collector = new BlockCollector(limits.maxCharacters);
    // The raw text bounds the cells' text, so an oversized file fails before it is split into rows.
    collector.reserve(text.replace(/[\s,;\t"]/g, '').length);
    const result = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
    const rows = result.data.map((row) => row.map((cell) => String(cell)));
    collector.table(rows, { hasHeader: looksLikeHeaderRow(rows) });
    return Promise.resolve({
      format: 'csv',
      blocks: collector.blocks,
      metadata: { rows: String(rows.length), delimiter: result.meta.delimiter },
    });
  },
};
