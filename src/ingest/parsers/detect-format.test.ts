import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { ParserInput } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { detectFormat } from './detect-format.js';

const encoder = new TextEncoder();

function input(content: string | Uint8Array, fileName: string, declaredMediaType?: string): ParserInput {
  return {
    bytes: typeof content === 'string' ? encoder.encode(content) : content,
    fileName,
    ...(declaredMediaType === undefined ? {} : { declaredMediaType }),
  };
}

async function zip(entries: Record<string, string>): Promise<Uint8Array> {
  const archive = new JSZip();
  for (const [name, content] of Object.entries(entries)) archive.file(name, content);
  return archive.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

async function refusal(promise: Promise<unknown>): Promise<DocumentError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

const MINIMAL_PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

describe('detectFormat', () => {
  it('tells the zip-based formats apart by their entries, whatever the name', async () => {
    const upload = 'upload.bin';
    expect(await detectFormat(input(await zip({ 'word/document.xml': '<w:document/>' }), upload))).toBe(
      'docx',
    );
    expect(
      await detectFormat(input(await zip({ 'ppt/presentation.xml': '<p:presentation/>' }), upload)),
    ).toBe('pptx');
    expect(await detectFormat(input(await zip({ 'xl/workbook.xml': '<workbook/>' }), upload))).toBe('xlsx');
    expect(
      await detectFormat(
        input(await zip({ mimetype: 'application/epub+zip', 'META-INF/container.xml': '<c/>' }), upload),
      ),
    ).toBe('epub');
  });

  it('recognises a PDF by its header, even after a little leading junk', async () => {
    expect(await detectFormat(input(MINIMAL_PDF, 'scan'))).toBe('pdf');
    expect(await detectFormat(input(`\r\n\r\n${MINIMAL_PDF}`, 'REPORT.PDF'))).toBe('pdf');
  });

  it('sniffs HTML and feeds from text content, and trusts the extension between text flavours', async () => {
    expect(await detectFormat(input('<!DOCTYPE html><html><body>Hi</body></html>', 'page'))).toBe('html');
    expect(await detectFormat(input('  <html lang="en"><p>Hi</p></html>', 'download'))).toBe('html');
    expect(
      await detectFormat(input('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', 'feed.xml')),
    ).toBe('rss');
    expect(await detectFormat(input('<feed xmlns="http://www.w3.org/2005/Atom"></feed>', 'atom'))).toBe(
      'rss',
    );
    expect(await detectFormat(input('# Title\n\nText', 'notes.md'))).toBe('markdown');
    expect(await detectFormat(input('a,b\n1,2\n', 'data.CSV'))).toBe('csv');
    expect(await detectFormat(input('just words', 'notes.txt'))).toBe('text');
    expect(await detectFormat(input('just words', 'notes'))).toBe('text');
    expect(await detectFormat(input('# Title', 'notes', 'text/markdown; charset=utf-8'))).toBe('markdown');
  });

  it('accepts UTF-16 text with a byte-order mark', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('中文文本 and words', 'utf16le')]);
    expect(await detectFormat(input(new Uint8Array(utf16), 'notes.txt'))).toBe('text');
  });

  it('refuses an empty file', async () => {
    const error = await refusal(detectFormat(input(new Uint8Array(0), 'empty.pdf')));
    expect(error.code).toBe('empty_document');
    expect(error.message).toContain('empty');
  });

  it('calls a known format under the wrong extension a mismatch, naming both', async () => {
    const pdfAsDocx = await refusal(detectFormat(input(MINIMAL_PDF, 'report.docx')));
    expect(pdfAsDocx.code).toBe('format_mismatch');
    expect(pdfAsDocx.message).toBe(
      'report.docx is named like a Word document but its content is a PDF document; rename it with the right extension',
    );

    const docxAsPdf = await refusal(
      detectFormat(input(await zip({ 'word/document.xml': '<w/>' }), 'report.pdf')),
    );
    expect(docxAsPdf.code).toBe('format_mismatch');
    expect(docxAsPdf.message).toContain('its content is a Word document');

    const textAsPdf = await refusal(detectFormat(input('hello, I am text', 'report.pdf')));
    expect(textAsPdf.code).toBe('format_mismatch');
    expect(textAsPdf.message).toContain('plain text');

    const pngAsPdf = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    const image = await refusal(detectFormat(input(pngAsPdf, 'report.pdf')));
    expect(image.code).toBe('format_mismatch');
    expect(image.message).toContain('image/png');
  });

  it('refuses text in a legacy encoding with advice rather than calling it corrupt', async () => {
    const latin1 = new Uint8Array(Buffer.from('Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e\n', 'latin1'));
    const error = await refusal(detectFormat(input(latin1, 'menu.txt')));
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toContain('UTF-8');
  });

  it('refuses XML that is not a feed', async () => {
    const error = await refusal(
      detectFormat(input('<?xml version="1.0"?><config><a>1</a></config>', 'settings.xml')),
    );
    expect(error.code).toBe('unsupported_format');
    expect(error.message).toContain('not an RSS or Atom feed');
  });

  it('refuses an unknown zip, and a zip named like an Office file that lacks its main part', async () => {
    const plain = await zip({ 'notes.txt': 'hello' });
    expect((await refusal(detectFormat(input(plain, 'archive.zip')))).code).toBe('unsupported_format');
    const notWord = await refusal(detectFormat(input(plain, 'letter.docx')));
    expect(notWord.code).toBe('corrupt_document');
    expect(notWord.message).toContain('no word/document.xml');
  });
});
