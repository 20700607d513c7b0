import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DocumentBlock, StructuredDocument, TableBlock } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { parseDocument, renderDocumentAsText } from './index.js';

/**
 * The real files of `shared/data/documents` (kept beside the checkout, never committed): every one
 * parses, and every expectation of `expected_strings.json` holds.
 */

const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DOCUMENTS = path.resolve(REPOSITORY_ROOT, '../shared/data/documents');
const HAVE_DOCUMENTS = existsSync(path.join(DOCUMENTS, 'expected_strings.json'));
const LIMITS = { maxUncompressedBytes: 100 * 1024 * 1024, maxCharacters: 5_000_000 };
const SCANNED_PDF = 'MEDRPT-2024-PAT-3847_medical_report_scan.pdf';

interface Expectation {
  readonly filename: string;
  readonly must_include: readonly string[];
  readonly must_not_include: readonly string[];
}

const parsed = new Map<string, Promise<StructuredDocument>>();

/** Each file is parsed once and shared by the tests that look at it. */
function parseShared(fileName: string): Promise<StructuredDocument> {
  let result = parsed.get(fileName);
  if (result === undefined) {
    result = parseDocument(
      { bytes: new Uint8Array(readFileSync(path.join(DOCUMENTS, fileName))), fileName },
      LIMITS,
    );
    parsed.set(fileName, result);
  }
  return result;
}

/**
 * The expectations were written against a reference tool's Markdown output. What they require is
 * the text and the structure they mark, so we compare honestly on both sides:
 *
 * - our side is `renderDocumentAsText`: headings as `#` lines, tables as `| a | b |` rows; it has
 *   no inline Markdown, because our blocks keep no links, emphasis or images;
 * - on their side, inline markup our blocks cannot hold is reduced to the text it marks: a link
 *   `[Bill Gates](/wiki/…)` to `Bill Gates`, an image `![caption](file.jpg)` to its caption (we keep
 *   alternative text), `**bold**` and `*em*` to their words, list bullets and `> ` quote marks go;
 * - heading depth is compared as "is a heading": the reference tool picks absolute depths by its
 *   own conventions (every sheet is `##`), while our levels follow the source; exact levels are
 *   asserted by the structure tests below;
 * - `data:image` URIs are skipped: we never keep image bytes (the file lists both "must include"
 *   and "must not include" the same data URI for the same file, one per setting of the reference
 *   tool), and a string that is only a link target (`](https://…`) has no text to look for;
 * - `must_not_include` is checked literally, and also after the same reduction when that leaves
 *   plain text (so a navigation phrase is really absent, not just differently marked up).
 */
function expectedText(expected: string): string {
  return expected
    .replace(/data:image\/[\w+.-]+(?:;base64)?(?:,[A-Za-z0-9+/=]*|\.\.\.)/g, '')
    .replace(/!\[([^\]]*)\](?:\([^)]*\))?/g, '$1')
    .replace(/\[([^\]]*)\]\((?:[^)"]|"[^"]*")*\)/g, '$1')
    .replace(/\[([^\]]*)\]/g, '$1')
    .replace(/\]\([^)\s]*\)?/g, '')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\*)/g, '$1$2')
    .replace(/^(?:[*+-]|\d+\.)\s+/, '')
    .replace(/^>\s+/, '')
    .replace(/^#{1,6}\s+/, '# ')
    .trim();
}

function ourText(document: StructuredDocument): string {
  return renderDocumentAsText(document).replace(/^#{1,6} /gm, '# ');
}

const expectations: readonly Expectation[] = HAVE_DOCUMENTS
  ? (JSON.parse(readFileSync(path.join(DOCUMENTS, 'expected_strings.json'), 'utf8')) as Expectation[])
  : [];
const documentFiles = HAVE_DOCUMENTS
  ? readdirSync(DOCUMENTS, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('.json') && !entry.name.startsWith('LICENSE'))
      .map((entry) => entry.name)
  : [];

const SUITE_TITLE = HAVE_DOCUMENTS
  ? `shared documents in ${DOCUMENTS}`
  : `shared documents: SKIPPED because ${DOCUMENTS} is absent (clone the shared data beside the project)`;

describe.skipIf(!HAVE_DOCUMENTS)(SUITE_TITLE, () => {
  describe('every file parses', () => {
    it.each(documentFiles.filter((name) => name !== SCANNED_PDF))('%s', async (fileName) => {
      const document = await parseShared(fileName);
      expect(document.blocks.length).toBeGreaterThan(0);
      expect(renderDocumentAsText(document).length).toBeGreaterThan(10);
    });

    it('refuses the scanned medical report as needing OCR', async () => {
      const error = await parseShared(SCANNED_PDF).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DocumentError);
      expect((error as DocumentError).code).toBe('needs_ocr');
      expect((error as DocumentError).message).toMatch(/^needs OCR: the PDF has no text layer/);
    });
  });

  describe('expected_strings.json', () => {
    for (const [index, expectation] of expectations.entries()) {
      const present = existsSync(path.join(DOCUMENTS, expectation.filename));
      it.skipIf(!present)(
        `${expectation.filename} (entry ${index + 1}${present ? '' : ', file not provided'})`,
        async () => {
          const text = ourText(await parseShared(expectation.filename));
          for (const expected of expectation.must_include) {
            const wanted = expectedText(expected);
            if (wanted === '') continue;
            expect(text, `must include ${JSON.stringify(expected)}`).toContain(wanted);
          }
          for (const forbidden of expectation.must_not_include) {
            expect(text, `must not include ${JSON.stringify(forbidden)}`).not.toContain(forbidden);
            const reduced = expectedText(forbidden);
            // An image reference reduces to its caption, which another entry *requires*: only the
            // markup was forbidden there, so only reductions of unmarked text are checked.
            if (reduced !== '' && reduced === forbidden.trim()) expect(text).not.toContain(reduced);
          }
        },
      );
    }
  });

  describe('structure', () => {
    it('DOCX keeps heading levels, the table as rows, comments and equations', async () => {
      const document = await parseShared('test.docx');
      expect(headings(document)).toEqual(
        expect.arrayContaining([
          { level: 1, text: 'Abstract' },
          { level: 1, text: 'Introduction' },
          { level: 2, text: 'd666f1f7-46cb-42bd-9a39-9a39cf2a509f' },
        ]),
      );
      const [table] = tables(document);
      expect(table?.rows).toHaveLength(5);
      expect(table?.rows[2]).toEqual(['13', '14', '49e168b7-d2ae-407f-a055-2167576f39a1', '15', '16', '17']);

      const commented = ourText(await parseShared('test_with_comment.docx'));
      expect(commented).toContain('Comment: This is a test comment. 12df-321a');
      expect(commented).toContain('Comment: Yet another comment in the doc. 55yiyi-asd09');
      // The comment marker must not glue itself to the commented cell.
      expect(tables(await parseShared('test_with_comment.docx'))[0]?.rows[3]).toEqual([
        '18',
        '19',
        '20',
        '21',
        '22',
        '23',
      ]);

      const equations = ourText(await parseShared('equations.docx'));
      expect(equations).toContain('For m=1,');
      expect(equations).toContain('sinθ=(mλ)/a');
      expect(equations).toContain('10^(-4)');
    });

    it('PPTX gives one heading per slide and slide numbers as pages', async () => {
      const document = await parseShared('test.pptx');
      expect(document.pageCount).toBe(6);
      const slideHeadings = document.blocks.filter((block) => block.kind === 'heading');
      expect(slideHeadings.map((block) => block.page)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(slideHeadings[2]).toMatchObject({ text: 'A table to test parsing:', level: 1, page: 3 });
      const [table, chart] = tables(document);
      expect(table).toMatchObject({ page: 3, hasHeader: true, caption: 'A table to test parsing:' });
      expect(table?.rows[0]).toEqual(['ColA', 'ColB', 'ColC', 'ColD', 'ColE', 'ColF']);
      expect(chart).toMatchObject({ page: 4, caption: 'a3f6004b-6f4f-4ea8-bee3-3741f4dc385f' });
      expect(chart?.rows.at(-1)).toEqual(['2003', '2003']);
      expect(document.blocks).toContainEqual({
        kind: 'paragraph',
        text: 'Image: This phrase of the caption is Human-written.',
        page: 6,
      });
    });

    it('XLSX gives each sheet a heading and a table captioned with its name', async () => {
      const document = await parseShared('test.xlsx');
      expect(document.pageCount).toBe(2);
      expect(JSON.parse(document.metadata['sheetNames'] ?? '[]')).toEqual([
        'Sheet1',
        '09060124-b5e7-4717-9d07-3c046eb',
      ]);
      const [first, second] = tables(document);
      expect(first).toMatchObject({ caption: 'Sheet1', page: 1, hasHeader: true });
      expect(first?.rows[0]).toEqual(['Alpha', 'Beta', 'Gamma', 'Delta']);
      expect(second).toMatchObject({ caption: '09060124-b5e7-4717-9d07-3c046eb', page: 2 });
      expect(second?.rows.at(-1)).toEqual(['13', '14', '15', 'affc7dad-52dc-4b98-9b5d-51e65d8a8ad0']);
    });

    it('PDF keeps page numbers and borderless table rows', async () => {
      const multipage = await parseShared('REPAIR-2022-INV-001_multipage.pdf');
      expect(multipage.pageCount).toBe(3);
      const pageOf = (text: string): number | undefined =>
        multipage.blocks.find((block) => blockText(block).includes(text))?.page;
      expect(pageOf('Gabriel Diaz')).toBe(1);
      expect(pageOf('Bruce Wayne')).toBe(2);
      // The row stays one row, whatever empty columns the grid has between its cells.
      const filledRows = tables(multipage).flatMap((table) =>
        table.rows.map((row) => row.filter((cell) => cell !== '')),
      );
      expect(filledRows).toContainEqual(['Insured name', 'Gabriel Diaz', 'Year', '2022']);
      expect(filledRows).toContainEqual(['Body Labor', '2', '150', '300']);

      const sparse = await parseShared('SPARSE-2024-INV-1234_borderless_table.pdf');
      const [reconciliation, review] = tables(sparse);
      expect(reconciliation?.rows[0]).toEqual([
        'Product Code',
        'Location',
        'Expected',
        'Actual',
        'Variance',
        'Status',
      ]);
      expect(reconciliation?.hasHeader).toBe(true);
      // Empty cells stay empty instead of pulling the next value to the left.
      expect(reconciliation?.rows).toContainEqual(['', 'B-07', '', '289', '-23', '']);
      expect(review?.rows).toContainEqual([
        'SKU-9201',
        'Hardware',
        '$32.50',
        '$25,285.00',
        '2024-10-22',
        'Verified',
      ]);

      const paper = await parseShared('test.pdf');
      expect(headings(paper)).toContainEqual({ level: 1, text: '1 Introduction' });
      const receipt = ourText(await parseShared('RECEIPT-2024-TXN-98765_retail_purchase.pdf'));
      // Short lines of a receipt keep their line breaks.
      expect(receipt).toContain('Cashier: Emily Rodriguez\nRegister: POS-07');
    });

    it('HTML keeps the article and drops navigation', async () => {
      const blog = renderDocumentAsText(await parseShared('test_blog.html'));
      expect(blog).toContain('## Experiment Setup');
      for (const navigation of [
        'Skip to main content',
        'Recent posts',
        'Newer Post',
        'Privacy and Cookies',
      ]) {
        expect(blog).not.toContain(navigation);
      }
      const wikipedia = await parseShared('test_wikipedia.html');
      expect(wikipedia.title).toBe('Microsoft');
      const text = ourText(wikipedia);
      for (const navigation of [
        'Jump to content',
        'Main menu',
        'Personal tools',
        'This page was last edited',
      ]) {
        expect(text).not.toContain(navigation);
      }
    });

    it('EPUB reads the spine in order without its table of contents', async () => {
      const document = await parseShared('test.epub');
      expect(document.title).toBe('Test EPUB Document');
      expect(headings(document)).toEqual([
        { level: 1, text: 'Chapter 1: Test Content' },
        { level: 1, text: 'Chapter 2: More Content' },
      ]);
    });

    it('RSS makes the feed a top heading and each item a second-level one', async () => {
      const document = await parseShared('test_rss.xml');
      const levels = headings(document).filter((heading) => heading.level <= 2);
      expect(levels[0]).toEqual({ level: 1, text: 'The Official Microsoft Blog' });
      expect(levels.filter((heading) => heading.level === 2)).toHaveLength(10);
      expect(document.metadata['items']).toBe('10');
    });
  });
});

function headings(document: StructuredDocument): { level: number; text: string }[] {
  return document.blocks.flatMap((block) =>
    block.kind === 'heading' ? [{ level: block.level, text: block.text }] : [],
  );
}

function tables(document: StructuredDocument): TableBlock[] {
  return document.blocks.filter((block): block is TableBlock => block.kind === 'table');
}

function blockText(block: DocumentBlock): string {
  return block.kind === 'table' ? block.rows.flat().join(' ') : block.text;
}
