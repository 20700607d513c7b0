import { describe, expect, it } from 'vitest';
import type { ParserLimits, StructuredDocument, TableBlock } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { parseDocument } from './index.js';

/**
 * PDFs written here, byte by byte, so that each test states exactly what is on the page: text at
 * a position and size, in Helvetica (a standard font, nothing to embed).
 */

interface Run {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly size?: number;
}

function buildPdf(pages: readonly (readonly Run[])[], options: { encrypted?: boolean } = {}): Uint8Array {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);
  const catalog = add('');
  const pageTree = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const pageIds: number[] = [];
  for (const runs of pages) {
    // A page without runs gets a filled rectangle: a picture and no text, like a scan.
    const content =
      runs.length === 0
        ? '0.5 g 50 50 500 700 re f'
        : runs
            .map(
              (run) =>
                `BT /F1 ${run.size ?? 11} Tf ${run.x} ${run.y} Td (${run.text.replace(/[\\()]/g, '\\$&')}) Tj ET`,
            )
            .join('\n');
    const stream = add(`<< /Length ${content.length} >>\nstream\n${content}\nendstream`);
    pageIds.push(
      add(
        `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${stream} 0 R >>`,
      ),
    );
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pageTree} 0 R >>`;
  objects[pageTree - 1] =
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  // Standard security handler, revision 2, with a user-password hash that the empty password
  // cannot match: a reader must ask for the password.
  const encryption = options.encrypted
    ? add(`<< /Filter /Standard /V 1 /R 2 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> /P -44 >>`)
    : undefined;

  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (const [index, body] of objects.entries()) {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  const security =
    encryption === undefined
      ? ''
      : ` /Encrypt ${encryption} 0 R /ID [<${'01'.repeat(16)}> <${'01'.repeat(16)}>]`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${security} >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(pdf, 'latin1'));
}

/** Lines of body text, `leading` units apart, starting at `top`. */
function lines(texts: readonly string[], top: number, leading = 14, x = 72): Run[] {
  return texts.map((text, index) => ({ text, x, y: top - index * leading }));
}

const LIMITS: ParserLimits = { maxUncompressedBytes: 10 * 1024 * 1024, maxCharacters: 100_000 };

function parsePdf(bytes: Uint8Array, limits: ParserLimits = LIMITS): Promise<StructuredDocument> {
  return parseDocument({ bytes, fileName: 'test.pdf' }, limits);
}

async function refusal(bytes: Uint8Array, limits: ParserLimits = LIMITS): Promise<DocumentError> {
  const error = await parsePdf(bytes, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe('PDF parser', () => {
  it('numbers blocks with their page, and tells headings from paragraphs by size', async () => {
    const document = await parsePdf(
      buildPdf([
        [
          { text: 'Quarterly Report', x: 72, y: 720, size: 24 },
          ...lines(['The first page speaks of apples.'], 680),
        ],
        lines(['The second page speaks of pears.'], 720),
      ]),
    );
    expect(document.format).toBe('pdf');
    expect(document.pageCount).toBe(2);
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Quarterly Report', page: 1 },
      { kind: 'paragraph', text: 'The first page speaks of apples.', page: 1 },
      { kind: 'paragraph', text: 'The second page speaks of pears.', page: 2 },
    ]);
  });

  it('joins wrapped lines into one paragraph and splits paragraphs at a wider gap', async () => {
    const wrapped = 'This line is long enough to run into the right margin of the text area here.';
    const document = await parsePdf(
      buildPdf([
        [
          ...lines([wrapped, 'and it continues on the next line.'], 720),
          ...lines(['A second paragraph starts after a blank line.'], 670),
        ],
      ]),
    );
    expect(document.blocks.map((block) => (block.kind === 'paragraph' ? block.text : block.kind))).toEqual([
      `${wrapped} and it continues on the next line.`,
      'A second paragraph starts after a blank line.',
    ]);
  });

  it('keeps a borderless table as rows of aligned cells, empty cells included', async () => {
    const row = (y: number, cells: readonly string[]): Run[] =>
      cells.flatMap((text, column) => (text === '' ? [] : [{ text, x: 72 + column * 120, y }]));
    const document = await parsePdf(
      buildPdf([
        [
          ...lines(['Stock count'], 740),
          ...row(700, ['Product', 'Warehouse', 'Expected', 'Counted']),
          ...row(680, ['SKU-1', 'North', '450', '449']),
          ...row(660, ['SKU-2', '', '120', '']),
          ...row(640, ['SKU-3', 'South', '', '75']),
          ...lines(['Counted by hand.'], 600),
        ],
      ]),
    );
    const table = document.blocks.find((block): block is TableBlock => block.kind === 'table');
    expect(table).toEqual({
      kind: 'table',
      rows: [
        ['Product', 'Warehouse', 'Expected', 'Counted'],
        ['SKU-1', 'North', '450', '449'],
        ['SKU-2', '', '120', ''],
        ['SKU-3', 'South', '', '75'],
      ],
      hasHeader: true,
      page: 1,
    });
    expect(document.blocks.at(-1)).toEqual({ kind: 'paragraph', text: 'Counted by hand.', page: 1 });
  });

  it('refuses pages without a text layer as needing OCR', async () => {
    const error = await refusal(buildPdf([[], []]));
    expect(error.code).toBe('needs_ocr');
    expect(error.message).toMatch(
      /^needs OCR: the PDF has no text layer \(0 characters of text on 2 pages\)/,
    );
  });

  it('notes pages without text when others have some', async () => {
    const document = await parsePdf(
      buildPdf([lines(['Plenty of words on the first page, enough.'], 720), []]),
    );
    expect(document.metadata['pagesWithoutText']).toBe('2');
  });

  it('refuses a truncated PDF as corrupt', async () => {
    const whole = buildPdf([lines(['Some text that will be cut off.'], 720)]);
    const error = await refusal(whole.subarray(0, Math.floor(whole.length / 2)));
    expect(error.code).toBe('corrupt_document');
    expect(error.message).toContain('truncated');
  });

  it('refuses a password-protected PDF as encrypted', async () => {
    const error = await refusal(buildPdf([lines(['Secret.'], 720)], { encrypted: true }));
    expect(error.code).toBe('encrypted_document');
    expect(error.message).toContain('password-protected');
  });

  it('refuses a PDF whose text exceeds maxCharacters', async () => {
    const page = lines(
      Array.from({ length: 40 }, (_, index) => `Line ${index} of a long page of text.`),
      760,
      16,
    );
    const error = await refusal(buildPdf([page, page]), { ...LIMITS, maxCharacters: 1000 });
    expect(error.code).toBe('document_too_large');
  });

  it('stops between pages when aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(
      parseDocument(
        { bytes: buildPdf([lines(['Text.'], 720)]), fileName: 'a.pdf' },
        LIMITS,
        controller.signal,
      ),
    ).rejects.toThrow('shutting down');
  });
});
