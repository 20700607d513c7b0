import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import JSZip from 'jszip';
import { afterAll, describe, expect, it } from 'vitest';
import type { ParserLimits, StructuredDocument } from '../../src/core/document.js';
import { DocumentError } from '../../src/core/errors.js';
import { isSafeText } from '../../src/core/text-safety.js';
import { chunkDocument } from '../../src/ingest/chunking/chunk-document.js';
import { renderPlainText } from '../../src/ingest/chunking/render-plain-text.js';
import { ParserPool } from '../../src/ingest/parsers/parser-pool.js';
import { fuzzParameters } from './fuzz-settings.js';

/**
 * The real files of `shared/data/documents` (read from beside the checkout, never copied), damaged
 * the ways files arrive damaged — bits flipped, cut short, one entry of an Office/EPUB zip corrupted —
 * and parsed the way ingestion parses them: in the parser pool's threads with a time and memory
 * limit per file. Every file must settle as a parsed document with clean, chunkable text or as a
 * `DocumentError` with a known code and a reason; nothing may crash the pool or leave it unusable.
 */

const REPOSITORY_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCUMENTS = path.resolve(REPOSITORY_ROOT, '../shared/data/documents');
const HAVE_DOCUMENTS = existsSync(DOCUMENTS);
const SUITE_TITLE = HAVE_DOCUMENTS
  ? 'mutated shared documents through the parser pool'
  : 'mutated shared documents (skipped: ../shared/data/documents is absent beside the checkout)';

const LIMITS: ParserLimits = { maxUncompressedBytes: 50 * 1024 * 1024, maxCharacters: 2_000_000 };
const DOCUMENT_ERROR_CODES = new Set([
  'unsupported_format',
  'format_mismatch',
  'empty_document',
  'corrupt_document',
  'needs_ocr',
  'archive_too_large',
  'document_too_large',
  'encrypted_document',
  'document_too_complex',
  'unsafe_document',
]);

interface SharedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Names of the files inside, when the file is a zip (DOCX, PPTX, XLSX, EPUB). */
  readonly entries: readonly string[];
}

async function loadFiles(): Promise<SharedFile[]> {
  const files: SharedFile[] = [];
  for (const name of readdirSync(DOCUMENTS).sort()) {
    const full = path.join(DOCUMENTS, name);
    if (!statSync(full).isFile()) continue;
    const bytes = new Uint8Array(readFileSync(full));
    let entries: string[] = [];
    if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
      const zip = await JSZip.loadAsync(bytes);
      entries = Object.values(zip.files).filter((entry) => !entry.dir).map((entry) => entry.name).sort();
    }
    files.push({ name, bytes, entries });
  }
  return files;
}

type Mutation =
  | { readonly kind: 'flip'; readonly flips: readonly { position: number; mask: number }[] }
  | { readonly kind: 'truncate'; readonly fraction: number }
  | { readonly kind: 'overwrite'; readonly position: number; readonly bytes: Uint8Array }
  | { readonly kind: 'zip-entry'; readonly entry: number; readonly damage: 'flip' | 'truncate' | 'garbage' | 'empty'; readonly position: number; readonly bytes: Uint8Array };

/** A position in a file, as a share of its length. */
const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    flips: fc.array(fc.record({ position: fraction, mask: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 64 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), fraction: fraction }),
  fc.record({ kind: fc.constant('overwrite' as const), position: fraction, bytes: fc.uint8Array({ minLength: 1, maxLength: 512 }) }),
  fc.record({
    kind: fc.constant('zip-entry' as const),
    entry: fc.nat(),
    damage: fc.constantFrom('flip' as const, 'truncate' as const, 'garbage' as const, 'empty' as const),
    position: fraction,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 256 }),
  }),
);

function describeMutation(file: SharedFile, change: Mutation): string {
  if (change.kind === 'zip-entry' && file.entries.length > 0) {
    return `${file.name}: ${change.damage} in ${file.entries[change.entry % file.entries.length]}`;
  }
  return `${file.name}: ${change.kind}`;
}

function damageBytes(bytes: Uint8Array, change: Mutation): Uint8Array {
  const copy = new Uint8Array(bytes);
  switch (change.kind) {
    case 'flip':
      for (const flip of change.flips) {
        const position = Math.floor(flip.position * copy.length);
        copy[position] = copy[position]! ^ flip.mask;
      }
      return copy;
    case 'truncate':
      return copy.slice(0, Math.floor(change.fraction * copy.length));
    case 'overwrite': {
      const position = Math.floor(change.position * copy.length);
      copy.set(change.bytes.slice(0, copy.length - position), position);
      return copy;
    }
    case 'zip-entry':
      return copy;
  }
}

async function mutate(file: SharedFile, change: Mutation): Promise<Uint8Array> {
  if (change.kind !== 'zip-entry') return damageBytes(file.bytes, change);
  if (file.entries.length === 0) {
    // Not a zip: damage the bytes the same way instead.
    return damageBytes(file.bytes, { kind: 'overwrite', position: change.position, bytes: change.bytes });
  }
  const zip = await JSZip.loadAsync(file.bytes);
  const name = file.entries[change.entry % file.entries.length]!;
  const original = await zip.file(name)!.async('uint8array');
  let damaged: Uint8Array;
  switch (change.damage) {
    case 'flip':
      damaged = damageBytes(original, { kind: 'overwrite', position: change.position, bytes: change.bytes });
      break;
    case 'truncate':
      damaged = original.slice(0, Math.floor(change.position * original.length));
      break;
    case 'garbage':
      damaged = change.bytes;
      break;
    case 'empty':
      damaged = new Uint8Array(0);
      break;
  }
  zip.file(name, damaged);
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE' });
}

function expectCleanDocument(document: StructuredDocument, label: string): void {
  expect(document.blocks.length, label).toBeGreaterThan(0);
  const plain = renderPlainText(document);
  expect(isSafeText(plain), `${label}: parsed text holds NUL or a lone surrogate`).toBe(true);
  for (const [key, value] of Object.entries(document.metadata)) expect(isSafeText(key) && isSafeText(value), `${label}: metadata ${key}`).toBe(true);
  for (const chunk of chunkDocument(document, { maxTokens: 512, overlapTokens: 64 })) {
    expect(chunk.content, label).toBe(plain.slice(chunk.startOffset, chunk.endOffset));
  }
}

describe.skipIf(!HAVE_DOCUMENTS)(SUITE_TITLE, () => {
  // Generous limits: the machine is shared and loaded; the limits only turn a hang into an answer.
  const pool = new ParserPool({ threads: 1, timeoutMs: 120_000, memoryMb: 512 });
  afterAll(() => pool.close());

  it('settles every damaged file as a clean parse or a document error with a reason, and the pool keeps working', { timeout: 1_800_000 }, async () => {
    const files = await loadFiles();
    expect(files.length).toBeGreaterThan(5);
    const outcomes = new Map<string, number>();
    const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), mutation, async (file, change) => {
        const label = describeMutation(file, change);
        const bytes = await mutate(file, change);
        const outcome = await pool.parse({ bytes, fileName: file.name }, LIMITS).then(
          (document) => ({ document }),
          (error: unknown) => ({ error }),
        );
        if ('document' in outcome) {
          expectCleanDocument(outcome.document, label);
          count('parsed');
          return;
        }
        const { error } = outcome;
        if (!(error instanceof DocumentError)) throw new Error(`${label}: not a document error: ${String(error)}`, { cause: error });
        expect(DOCUMENT_ERROR_CODES.has(error.code), `${label}: ${error.code}`).toBe(true);
        expect(error.message.length, label).toBeGreaterThan(0);
        count(error.code);
      }),
      { ...fuzzParameters(40), endOnFailure: true },
    );
    // The pool survived everything above: an undamaged file still parses.
    const sample = files.find((file) => file.name.endsWith('.docx')) ?? files[0]!;
    expectCleanDocument(await pool.parse({ bytes: sample.bytes, fileName: sample.name }, LIMITS), sample.name);
    // eslint-disable-next-line no-console -- the suite reports its counts (docs/reliability.md)
    console.info(`mutated documents: ${[...outcomes].map(([outcome, times]) => `${outcome} ${times}`).join(', ')}`);
  });
});
