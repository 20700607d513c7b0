import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import type { ParserInput, ParserLimits } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { parseDocument } from './index.js';

/** Files that must be refused, each with the error code that says why. */

const LIMITS: ParserLimits = { maxUncompressedBytes: 10 * 1024 * 1024, maxCharacters: 100_000 };

function input(bytes: Uint8Array | string, fileName: string): ParserInput {
  return { bytes: typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes, fileName };
}

async function refusal(file: ParserInput, limits: ParserLimits = LIMITS): Promise<DocumentError> {
  const error = await parseDocument(file, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return error as DocumentError;
}

/** Deterministic noise: the same "random" bytes on every run. */
function noise(length: number, seed = 42): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed;
  for (let index = 0; index < length; index += 1) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    bytes[index] = (state >> 16) & 0xff;
  }
  // Start with a byte no file signature begins with.
  bytes[0] = 0x13;
  return bytes;
}

/** A Word-looking archive whose document part is `size` zero bytes. */
async function zeroFilledDocx(size: number): Promise<Uint8Array> {
  const archive = new JSZip();
  archive.file(
    '[Content_Types].xml',
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
  );
  archive.file('word/document.xml', new Uint8Array(size));
  return archive.generateAsync({
    type: 'uint8array',
    compression: 'DEFLATE',
    compressionOptions: { level: 9 },
  });
}

/** Rewrites the uncompressed size that the local header and the central directory declare. */
function forgeDeclaredSize(zip: Uint8Array, entryName: string, declared: number): Uint8Array {
  const bytes = new Uint8Array(zip);
  const view = new DataView(bytes.buffer);
  const name = new TextEncoder().encode(entryName);
  const nameAt = (offset: number): boolean => name.every((byte, index) => bytes[offset + index] === byte);
  for (let offset = 0; offset < bytes.length - 46; offset += 1) {
    const signature = view.getUint32(offset, true);
    if (signature === 0x04034b50 && nameAt(offset + 30)) view.setUint32(offset + 22, declared, true);
    if (signature === 0x02014b50 && nameAt(offset + 46)) view.setUint32(offset + 24, declared, true);
  }
  return bytes;
}

describe('refused documents', () => {
  it('a zero-byte file is empty', async () => {
    const error = await refusal(input(new Uint8Array(0), 'nothing.docx'));
    expect(error.code).toBe('empty_document');
    expect(error.message).toBe('nothing.docx is empty (0 bytes)');
  });

  it('an executable is not a supported format, and is a mismatch when named like a document', async () => {
    const executable = noise(4096);
    executable.set([0x4d, 0x5a, 0x90, 0x00], 0); // "MZ": a Windows program
    executable.set(new TextEncoder().encode('PE\0\0'), 128);
    const asProgram = await refusal(input(executable, 'setup.exe'));
    expect(asProgram.code).toBe('unsupported_format');
    expect(asProgram.message).toContain('an executable program');

    const asDocument = await refusal(input(executable, 'invoice.docx'));
    expect(asDocument.code).toBe('format_mismatch');
    expect(asDocument.message).toContain(
      'named like a Word document but its content is an executable program',
    );
  });

  it('random bytes are corrupt when named like a document, unsupported otherwise', async () => {
    const garbage = await refusal(input(noise(10_000), 'report.pdf'));
    expect(garbage.code).toBe('corrupt_document');
    expect(garbage.message).toContain('named like a PDF document but its content is not');
    expect((await refusal(input(noise(10_000), 'blob'))).code).toBe('unsupported_format');
  });

  it('a zip bomb is refused from its declared size, before anything is inflated', async () => {
    const bomb = await zeroFilledDocx(50 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const error = await refusal(input(bomb, 'bomb.docx'));
    expect(error.code).toBe('archive_too_large');
    expect(error.message).toMatch(/would inflate to 50\.0 MB, more than the 10\.0 MB allowed/);
  });

  it('a zip that lies about its sizes is stopped while inflating', async () => {
    const forged = forgeDeclaredSize(await zeroFilledDocx(5 * 1024 * 1024), 'word/document.xml', 1000);
    const error = await refusal(input(forged, 'forged.docx'), {
      ...LIMITS,
      maxUncompressedBytes: 1024 * 1024,
    });
    expect(error.code).toBe('corrupt_document');
    expect(error.message).toContain('inflates to more than the 1000 bytes its header declares');
  });

  it('text beyond maxCharacters is too large, in every text format', async () => {
    const limits = { ...LIMITS, maxCharacters: 1000 };
    const long = 'word '.repeat(400);
    const files = [
      input(long, 'long.txt'),
      input(`# Title\n\n${long}`, 'long.md'),
      input(`a,b\n${'x,y\n'.repeat(600)}`, 'long.csv'),
      input(`<html><body><p>${long}</p></body></html>`, 'long.html'),
    ];
    for (const file of files) {
      const error = await refusal(file, limits);
      expect(error.code, file.fileName).toBe('document_too_large');
      expect(error.message).toContain('exceeds the limit of 1,000 characters');
    }
  });

  it('a password-protected Office file is encrypted; a legacy one is unsupported', async () => {
    // Both are OLE compound files; only an encrypted one holds an "EncryptedPackage" stream.
    const compound = (streamName: string): Uint8Array => {
      const bytes = new Uint8Array(4096);
      bytes.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 0);
      bytes.set(new Uint8Array(Buffer.from(streamName, 'utf16le')), 1024);
      return bytes;
    };
    const encrypted = await refusal(input(compound('EncryptedPackage'), 'secret.docx'));
    expect(encrypted.code).toBe('encrypted_document');
    expect(encrypted.message).toContain('password');

    const legacy = await refusal(input(compound('WordDocument'), 'old.doc'));
    expect(legacy.code).toBe('unsupported_format');
    expect(legacy.message).toContain('legacy Microsoft Office file');
  });

  it('a text file with nothing but whitespace is empty', async () => {
    const error = await refusal(input(' \n\n\t\n', 'blank.txt'));
    expect(error.code).toBe('empty_document');
    expect(error.message).toContain('contains no text');
  });

  it('an aborted parse rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(parseDocument(input('hello', 'hello.txt'), LIMITS, controller.signal)).rejects.toMatchObject(
      {
        name: 'AbortError',
      },
    );
  });
});
