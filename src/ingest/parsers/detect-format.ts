import { fileTypeFromBuffer } from 'file-type';
import type { DocumentFormat, ParserInput } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { decodeText } from './text-decoding.js';
import { ZipArchive } from './zip-archive.js';

/**
 * Decides a file's format from its content. The name and the declared media type are written by
 * whoever uploads the file, so they only break ties between text flavours (Markdown or plain text
 * look alike) and tell us what the uploader *thought* they sent, which makes error messages clear:
 * a `report.docx` that is really a PDF is refused as a mismatch rather than parsed as something
 * its owner did not expect.
 */

const FORMAT_BY_EXTENSION: Readonly<Record<string, DocumentFormat>> = {
  pdf: 'pdf',
  docx: 'docx',
  docm: 'docx',
  pptx: 'pptx',
  pptm: 'pptx',
  xlsx: 'xlsx',
  xlsm: 'xlsx',
  epub: 'epub',
  csv: 'csv',
  tsv: 'csv',
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  mdown: 'markdown',
  mkd: 'markdown',
  txt: 'text',
  text: 'text',
  rss: 'rss',
  atom: 'rss',
};

const DESCRIPTION: Readonly<Record<DocumentFormat, string>> = {
  pdf: 'a PDF document',
  docx: 'a Word document',
  pptx: 'a PowerPoint presentation',
  xlsx: 'an Excel workbook',
  epub: 'an EPUB book',
  csv: 'a CSV file',
  html: 'an HTML page',
  markdown: 'a Markdown file',
  text: 'a plain-text file',
  rss: 'an RSS or Atom feed',
};

/** The media type a stored original is served with: from the detected format, never from the uploader. */
const MEDIA_TYPE: Readonly<Record<DocumentFormat, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  epub: 'application/epub+zip',
  csv: 'text/csv',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
  rss: 'application/rss+xml',
};

export function mediaTypeOf(format: DocumentFormat): string {
  return MEDIA_TYPE[format];
}

const BINARY_FORMATS: ReadonlySet<DocumentFormat> = new Set(['pdf', 'docx', 'pptx', 'xlsx', 'epub']);

const TEXT_FORMAT_BY_MEDIA_TYPE: Readonly<Record<string, DocumentFormat>> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/csv': 'csv',
  'text/tab-separated-values': 'csv',
  'application/rss+xml': 'rss',
  'application/atom+xml': 'rss',
};

export async function detectFormat(input: ParserInput): Promise<DocumentFormat> {
  const { bytes, fileName } = input;
  if (bytes.length === 0) {
    throw new DocumentError('empty_document', `${fileName} is empty (0 bytes)`);
  }
  const extension = extensionOf(fileName);
  const expected = extension === undefined ? undefined : FORMAT_BY_EXTENSION[extension];

  const binary = await detectBinaryFormat(input, expected);
  if (binary !== undefined) return confirm(binary, expected, fileName);

  const text = decodeText(bytes);
  if (text === undefined) {
    const kind = await describeBinary(bytes);
    if (kind === undefined && looksLikeLegacyEncodedText(bytes)) {
      throw new DocumentError(
        'unsupported_format',
        `${fileName} looks like text in a legacy encoding (not UTF-8 or UTF-16); save it as UTF-8 and upload it again`,
      );
    }
    return refuseBinary(input, expected, kind);
  }
  if (expected !== undefined && BINARY_FORMATS.has(expected)) {
    throw new DocumentError(
      'format_mismatch',
      `${fileName} is named like ${DESCRIPTION[expected]} but its content is plain text`,
    );
  }
  return detectTextFormat(text, input, extension, expected);
}

/** The binary formats we parse, recognised by their magic bytes and, for zips, by their entries. */
async function detectBinaryFormat(
  input: ParserInput,
  expected: DocumentFormat | undefined,
): Promise<DocumentFormat | undefined> {
  const { bytes } = input;
  // A PDF header may legally follow a few bytes of junk, so look at the whole first kilobyte.
  if (indexOfAscii(bytes.subarray(0, 1024), '%PDF-') !== -1) return 'pdf';
  if (startsWithBytes(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWithBytes(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    return detectZipFormat(input, expected);
  }
  return undefined;
}

/** Office and EPUB files are all zips; only their entries tell them apart. */
async function detectZipFormat(
  input: ParserInput,
  expected: DocumentFormat | undefined,
): Promise<DocumentFormat> {
  const label =
    expected !== undefined && BINARY_FORMATS.has(expected) && expected !== 'pdf'
      ? DESCRIPTION[expected].replace(/^an? /, '')
      : 'zip archive';
  const archive = await ZipArchive.open(input.bytes, label);
  if (archive.has('word/document.xml')) return 'docx';
  if (archive.has('ppt/presentation.xml')) return 'pptx';
  if (archive.has('xl/workbook.xml')) return 'xlsx';
  const mimetype = await readSmallEntry(archive, 'mimetype');
  if (mimetype?.trim() === 'application/epub+zip') return 'epub';

  const { fileName } = input;
  if (expected === 'docx' || expected === 'pptx' || expected === 'xlsx' || expected === 'epub') {
    const missing = {
      docx: 'word/document.xml',
      pptx: 'ppt/presentation.xml',
      xlsx: 'xl/workbook.xml',
      epub: 'a mimetype entry saying application/epub+zip',
    }[expected];
    throw new DocumentError(
      'corrupt_document',
      `${fileName} is a zip archive but not ${DESCRIPTION[expected]}: it has no ${missing}`,
    );
  }
  const description =
    mimetype !== undefined && mimetype.trim() !== ''
      ? `a zip package of type ${mimetype.trim()}`
      : 'a zip archive';
  return refuseBinary(input, expected, { description, encrypted: false });
}

async function readSmallEntry(archive: ZipArchive, name: string): Promise<string | undefined> {
  const size = archive.declaredSize(name);
  // Only a few bytes are legitimate here; anything bigger is not an EPUB marker.
  if (size === undefined || size > 256 || !archive.has(name)) return undefined;
  try {
    return await archive.readText(name);
  } catch {
    return undefined;
  }
}

function confirm(
  actual: DocumentFormat,
  expected: DocumentFormat | undefined,
  fileName: string,
): DocumentFormat {
  if (expected === undefined || expected === actual) return actual;
  throw new DocumentError(
    'format_mismatch',
    `${fileName} is named like ${DESCRIPTION[expected]} but its content is ${DESCRIPTION[actual]}; rename it with the right extension`,
  );
}

/** What file-type (or a look inside a zip) recognised in content we do not parse. */
interface BinaryKind {
  readonly description: string;
  readonly encrypted: boolean;
}

/** Content we cannot parse: a mismatch when we recognise it, corruption when it is unrecognisable. */
function refuseBinary(
  input: ParserInput,
  expected: DocumentFormat | undefined,
  kind: BinaryKind | undefined,
): never {
  const { fileName } = input;
  if (kind?.encrypted === true) {
    throw new DocumentError(
      'encrypted_document',
      `${fileName} is ${kind.description}; remove the password and upload it again`,
    );
  }
  if (expected !== undefined && kind !== undefined) {
    throw new DocumentError(
      'format_mismatch',
      `${fileName} is named like ${DESCRIPTION[expected]} but its content is ${kind.description}`,
    );
  }
  if (expected !== undefined) {
    throw new DocumentError(
      'corrupt_document',
      `${fileName} is named like ${DESCRIPTION[expected]} but its content is not: the bytes match no known format (damaged or not a document)`,
    );
  }
  const what = kind?.description ?? 'binary data of an unrecognised kind';
  throw new DocumentError(
    'unsupported_format',
    `${fileName} is ${what}, which is not a supported document format (supported: PDF, DOCX, PPTX, XLSX, EPUB, CSV, HTML, Markdown, plain text, RSS/Atom)`,
  );
}

async function describeBinary(bytes: Uint8Array): Promise<BinaryKind | undefined> {
  // Magic numbers sit at the start; a bounded sample keeps file-type from wandering through a big file.
  const type = await fileTypeFromBuffer(bytes.subarray(0, 65_536));
  if (type === undefined) return undefined;
  if (type.ext === 'cfb') {
    // Password-protected Office files are stored as an "EncryptedPackage" inside an OLE container.
    return indexOfUtf16(bytes, 'EncryptedPackage') !== -1
      ? { description: 'an encrypted (password-protected) Office document', encrypted: true }
      : {
          description:
            'a legacy Microsoft Office file (.doc, .xls, .ppt or .msg); save it as .docx, .xlsx or .pptx',
          encrypted: false,
        };
  }
  const executable = type.ext === 'exe' || type.ext === 'elf' || type.ext === 'mach';
  return {
    description: executable ? `an executable program (${type.mime})` : `a .${type.ext} file (${type.mime})`,
    encrypted: false,
  };
}

function detectTextFormat(
  text: string,
  input: ParserInput,
  extension: string | undefined,
  expected: DocumentFormat | undefined,
): DocumentFormat {
  const head = text.slice(0, 4096).trimStart().toLowerCase();
  const isFeed = /<(?:rss|feed|rdf:rdf)[\s>]/.test(head);
  if (extension === 'xml') {
    if (isFeed) return 'rss';
    throw new DocumentError(
      'unsupported_format',
      `${input.fileName} is an XML file but not an RSS or Atom feed; other XML is not a supported document format`,
    );
  }
  if (expected !== undefined) return expected;
  if (head.startsWith('<!doctype html') || /<html[\s>]/.test(head.slice(0, 1024))) return 'html';
  if (isFeed) return 'rss';
  const declared = input.declaredMediaType?.split(';')[0]?.trim().toLowerCase();
  return (declared === undefined ? undefined : TEXT_FORMAT_BY_MEDIA_TYPE[declared]) ?? 'text';
}

/**
 * Text in Latin-1, Windows-1252, Shift_JIS, GBK…: no NUL bytes and almost no control bytes, but
 * not valid UTF-8. We cannot tell these encodings apart reliably, so we ask for UTF-8 instead of
 * guessing; the point here is only to say so rather than call the file corrupt.
 */
function looksLikeLegacyEncodedText(bytes: Uint8Array): boolean {
  const sample = bytes.subarray(0, 65_536);
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return false;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) control += 1;
  }
  // Random or compressed binary data has one control byte in eight; text has next to none.
  return control <= sample.length * 0.01;
}

function extensionOf(fileName: string): string | undefined {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? undefined : base.slice(dot + 1).toLowerCase();
}

function startsWithBytes(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function indexOfAscii(bytes: Uint8Array, needle: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle, 0, 'latin1');
}

function indexOfUtf16(bytes: Uint8Array, needle: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(
    Buffer.from(needle, 'utf16le'),
  );
}
