import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { parseDocument, renderDocumentAsText } from './index.js';

/** Minimal DOCX, PPTX, XLSX and EPUB files built in the test, so each asserts exactly what is in it. */

const LIMITS: ParserLimits = { maxUncompressedBytes: 10 * 1024 * 1024, maxCharacters: 100_000 };

const WORD_NAMESPACE = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const MATH_NAMESPACE = 'http://schemas.openxmlformats.org/officeDocument/2006/math';
const RELATIONSHIP_NAMESPACE = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const DRAWING_NAMESPACE = 'http://schemas.openxmlformats.org/drawingml/2006/main';
const PRESENTATION_NAMESPACE = 'http://schemas.openxmlformats.org/presentationml/2006/main';
const PACKAGE_RELATIONSHIPS = 'http://schemas.openxmlformats.org/package/2006/relationships';

async function zip(entries: Record<string, string | Uint8Array>): Promise<Uint8Array> {
  const archive = new JSZip();
  for (const [name, content] of Object.entries(entries)) archive.file(name, content);
  return archive.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

function relationships(list: readonly { id: string; type: string; target: string }[]): string {
  const items = list
    .map(
      ({ id, type, target }) =>
        `<Relationship Id="${id}" Type="${RELATIONSHIP_NAMESPACE}/${type}" Target="${target}"/>`,
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PACKAGE_RELATIONSHIPS}">${items}</Relationships>`;
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/></Types>';

function paragraph(text: string, style?: string): string {
  const properties = style === undefined ? '' : `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>`;
  return `<w:p>${properties}<w:r><w:t xml:space="preserve">${text}</w:t></w:r></w:p>`;
}

async function docx(body: string, extra: Record<string, string> = {}): Promise<Uint8Array> {
  return zip({
    '[Content_Types].xml': CONTENT_TYPES,
    '_rels/.rels': relationships([{ id: 'rId1', type: 'officeDocument', target: 'word/document.xml' }]),
    'word/_rels/document.xml.rels': relationships([
      { id: 'rId1', type: 'styles', target: 'styles.xml' },
      { id: 'rId2', type: 'comments', target: 'comments.xml' },
    ]),
    'word/styles.xml':
      `<w:styles xmlns:w="${WORD_NAMESPACE}">` +
      '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>' +
      '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style></w:styles>',
    'word/document.xml': `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${WORD_NAMESPACE}" xmlns:m="${MATH_NAMESPACE}" xmlns:r="${RELATIONSHIP_NAMESPACE}"><w:body>${body}</w:body></w:document>`,
    ...extra,
  });
}

function parse(bytes: Uint8Array, fileName: string): Promise<StructuredDocument> {
  return parseDocument({ bytes, fileName }, LIMITS);
}

async function refusal(bytes: Uint8Array, fileName: string): Promise<DocumentError> {
  const error = await parse(bytes, fileName).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

describe('DOCX', () => {
  it('keeps headings with levels, tables as rows, equations and comments', async () => {
    const cell = (text: string): string => `<w:tc>${paragraph(text)}</w:tc>`;
    const body = [
      paragraph('Overview', 'Heading1'),
      paragraph('知识图谱把实体连接起来。'),
      paragraph('Details', 'Heading2'),
      `<w:tbl><w:tr>${cell('Name')}${cell('Score')}</w:tr><w:tr>${cell('Ada')}${cell('42')}</w:tr></w:tbl>`,
      '<w:p><w:r><w:t xml:space="preserve">The ratio </w:t></w:r>' +
        '<m:oMath><m:f><m:num><m:r><m:t>a</m:t></m:r></m:num><m:den><m:r><m:t>b+c</m:t></m:r></m:den></m:f></m:oMath>' +
        '<w:r><w:t xml:space="preserve"> matters.</w:t></w:r></w:p>',
      '<w:p><w:commentRangeStart w:id="0"/><w:r><w:t>Reviewed text.</w:t></w:r><w:commentRangeEnd w:id="0"/>' +
        '<w:r><w:commentReference w:id="0"/></w:r></w:p>',
    ].join('');
    const comments = `<w:comments xmlns:w="${WORD_NAMESPACE}"><w:comment w:id="0" w:author="Ada" w:initials="A">${paragraph('Check this figure.')}</w:comment></w:comments>`;
    const document = await parse(await docx(body, { 'word/comments.xml': comments }), 'report.docx');
    expect(document.format).toBe('docx');
    expect(document.title).toBe('Overview');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Overview' },
      { kind: 'paragraph', text: '知识图谱把实体连接起来。' },
      { kind: 'heading', level: 2, text: 'Details' },
      {
        kind: 'table',
        rows: [
          ['Name', 'Score'],
          ['Ada', '42'],
        ],
        hasHeader: true,
      },
      { kind: 'paragraph', text: 'The ratio a/(b+c) matters.' },
      { kind: 'paragraph', text: 'Reviewed text.' },
      { kind: 'paragraph', text: 'Comment: Check this figure.' },
    ]);
  });

  it('refuses a Word file without its document part, or with broken XML, as corrupt', async () => {
    const withoutDocument = await zip({
      '[Content_Types].xml': CONTENT_TYPES,
      'word/styles.xml': '<w:styles/>',
    });
    const missing = await refusal(withoutDocument, 'letter.docx');
    expect(missing.code).toBe('corrupt_document');
    expect(missing.message).toContain('no word/document.xml');

    const broken = await zip({
      '[Content_Types].xml': CONTENT_TYPES,
      'word/document.xml': `<w:document xmlns:w="${WORD_NAMESPACE}"><w:body><w:p><w:r><w:t>unclosed</w:body>`,
    });
    const error = await refusal(broken, 'letter.docx');
    expect(error.code).toBe('corrupt_document');
    expect(error.message).toContain('word/document.xml is not well-formed XML');
  });

  it('refuses a Word file with no text as empty', async () => {
    const error = await refusal(await docx('<w:p/>'), 'blank.docx');
    expect(error.code).toBe('empty_document');
  });
});

describe('PPTX', () => {
  const shape = (text: readonly string[], placeholder?: string): string =>
    '<p:sp><p:nvSpPr><p:cNvPr id="2" name="Shape"/><p:cNvSpPr/>' +
    `<p:nvPr>${placeholder === undefined ? '' : `<p:ph type="${placeholder}"/>`}</p:nvPr></p:nvSpPr>` +
    `<p:txBody>${text.map((line) => `<a:p><a:r><a:t>${line}</a:t></a:r></a:p>`).join('')}</p:txBody></p:sp>`;
  const slide = (content: string): string =>
    `<p:sld xmlns:a="${DRAWING_NAMESPACE}" xmlns:p="${PRESENTATION_NAMESPACE}" xmlns:r="${RELATIONSHIP_NAMESPACE}"><p:cSld><p:spTree>${content}</p:spTree></p:cSld></p:sld>`;

  it('reads slides in presentation order: a heading per slide, slide numbers as pages, tables and notes', async () => {
    const table =
      '<p:graphicFrame><a:graphic><a:graphicData><a:tbl>' +
      '<a:tr><a:tc><a:txBody><a:p><a:r><a:t>Quarter</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>Sales</a:t></a:r></a:p></a:txBody></a:tc></a:tr>' +
      '<a:tr><a:tc><a:txBody><a:p><a:r><a:t>Q1</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p><a:r><a:t>120</a:t></a:r></a:p></a:txBody></a:tc></a:tr>' +
      '</a:tbl></a:graphicData></a:graphic></p:graphicFrame>';
    const notes = `<p:notes xmlns:a="${DRAWING_NAMESPACE}" xmlns:p="${PRESENTATION_NAMESPACE}"><p:cSld><p:spTree>${shape(['Speak slowly.'], 'body')}</p:spTree></p:cSld></p:notes>`;
    const bytes = await zip({
      '[Content_Types].xml': CONTENT_TYPES,
      // The file names run against the presentation order on purpose.
      'ppt/presentation.xml': `<p:presentation xmlns:p="${PRESENTATION_NAMESPACE}" xmlns:r="${RELATIONSHIP_NAMESPACE}"><p:sldIdLst><p:sldId id="256" r:id="rId7"/><p:sldId id="257" r:id="rId3"/></p:sldIdLst></p:presentation>`,
      'ppt/_rels/presentation.xml.rels': relationships([
        { id: 'rId3', type: 'slide', target: 'slides/slide1.xml' },
        { id: 'rId7', type: 'slide', target: 'slides/slide2.xml' },
      ]),
      'ppt/slides/slide2.xml': slide(
        `${shape(['Roadmap'], 'title')}${shape(['Ship parsers', '发布解析器'])}`,
      ),
      'ppt/slides/slide1.xml': slide(`${shape(['Numbers'], 'title')}${table}`),
      'ppt/slides/_rels/slide1.xml.rels': relationships([
        { id: 'rId1', type: 'notesSlide', target: '../notesSlides/notesSlide1.xml' },
      ]),
      'ppt/notesSlides/notesSlide1.xml': notes,
    });
    const document = await parse(bytes, 'deck.pptx');
    expect(document.pageCount).toBe(2);
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Roadmap', page: 1 },
      { kind: 'paragraph', text: 'Ship parsers', page: 1 },
      { kind: 'paragraph', text: '发布解析器', page: 1 },
      { kind: 'heading', level: 1, text: 'Numbers', page: 2 },
      {
        kind: 'table',
        rows: [
          ['Quarter', 'Sales'],
          ['Q1', '120'],
        ],
        hasHeader: true,
        caption: 'Numbers',
        page: 2,
      },
      { kind: 'paragraph', text: 'Notes: Speak slowly.', page: 2 },
    ]);
  });
});

describe('XLSX', () => {
  it('gives each sheet a heading and a table captioned with its name, with stored values', async () => {
    const workbook = new ExcelJS.Workbook();
    const sales = workbook.addWorksheet('Ventes 2024');
    sales.addRow(['Produit', 'Date', 'Total']);
    sales.addRow(['Thé vert', new Date(Date.UTC(2024, 0, 15)), { formula: '2+3', result: 5 }]);
    sales.addRow(['咖啡', new Date(Date.UTC(2024, 1, 1)), 0.1 + 0.2]);
    const notes = workbook.addWorksheet('Notes');
    notes.getCell('B2').value = 'Merged note';
    notes.mergeCells('B2:C2');
    const bytes = new Uint8Array((await workbook.xlsx.writeBuffer()) as ArrayBuffer);

    const document = await parse(bytes, 'sales.xlsx');
    expect(document.pageCount).toBe(2);
    expect(JSON.parse(document.metadata['sheetNames'] ?? '[]')).toEqual(['Ventes 2024', 'Notes']);
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Ventes 2024', page: 1 },
      {
        kind: 'table',
        rows: [
          ['Produit', 'Date', 'Total'],
          ['Thé vert', '2024-01-15', '5'],
          ['咖啡', '2024-02-01', '0.3'],
        ],
        hasHeader: true,
        caption: 'Ventes 2024',
        page: 1,
      },
      { kind: 'heading', level: 1, text: 'Notes', page: 2 },
      { kind: 'table', rows: [['', 'Merged note']], hasHeader: false, caption: 'Notes', page: 2 },
    ]);
  });
});

describe('EPUB', () => {
  it('follows the spine, skips the navigation document and opens with the book metadata', async () => {
    const chapter = (title: string, text: string): string =>
      `<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
    const bytes = await zip({
      mimetype: 'application/epub+zip',
      'META-INF/container.xml':
        '<container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0"><rootfiles><rootfile full-path="OEBPS/book.opf" media-type="application/oebps-package+xml"/></rootfiles></container>',
      'OEBPS/book.opf':
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">' +
        '<dc:title>红楼梦</dc:title><dc:creator>曹雪芹</dc:creator><dc:language>zh</dc:language></metadata>' +
        '<manifest><item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>' +
        '<item id="one" href="text/one.xhtml" media-type="application/xhtml+xml"/>' +
        '<item id="two" href="text/two%20b.xhtml" media-type="application/xhtml+xml"/></manifest>' +
        '<spine><itemref idref="nav"/><itemref idref="two"/><itemref idref="one"/></spine></package>',
      'OEBPS/nav.xhtml': chapter('目录', 'Table of contents'),
      'OEBPS/text/one.xhtml': chapter('第二回', '后来的故事。'),
      'OEBPS/text/two b.xhtml': chapter('第一回', '开头的故事。'),
    });
    const document = await parse(bytes, 'book.epub');
    expect(document.title).toBe('红楼梦');
    expect(document.metadata).toEqual({ author: '曹雪芹', language: 'zh' });
    expect(renderDocumentAsText(document)).toBe(
      'Title: 红楼梦\n\nAuthors: 曹雪芹\n\n# 第一回\n\n开头的故事。\n\n# 第二回\n\n后来的故事。',
    );
  });
});
