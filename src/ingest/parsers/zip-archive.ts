import JSZip from 'jszip';
import type { ParserLimits } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';

/**
 * DOCX, PPTX, XLSX and EPUB are zip archives, and a zip is the classic way to smuggle a huge
 * payload past an upload limit. Loading an archive with jszip only reads its directory; nothing
 * is inflated until an entry is read. So we (1) sum the sizes the directory declares and refuse
 * the archive before inflating anything, and (2) count the bytes actually inflated, because the
 * declared sizes are written by whoever made the file and can lie.
 */

/** More entries than any real office document has; a directory this big is an attack on its own. */
const MAX_ENTRIES = 20_000;

export class ZipArchive {
  readonly #zip: JSZip;
  readonly #label: string;

  private constructor(zip: JSZip, label: string) {
    this.#zip = zip;
    this.#label = label;
  }

  /**
   * Reads the directory only. `label` names the document kind in error messages ("Word document").
   * Throws `corrupt_document` when the bytes are not a readable zip.
   */
  static async open(bytes: Uint8Array, label: string): Promise<ZipArchive> {
    try {
      return new ZipArchive(await JSZip.loadAsync(bytes), label);
    } catch (error) {
      throw new DocumentError(
        'corrupt_document',
        `the ${label} is damaged: its zip container cannot be read (${errorMessage(error)})`,
        { cause: error },
      );
    }
  }

  /** Opens the archive and refuses it when its declared contents exceed the limit. */
  static async openWithinLimits(bytes: Uint8Array, limits: ParserLimits, label: string): Promise<ZipArchive> {
    const archive = await ZipArchive.open(bytes, label);
    archive.#assertDeclaredSizeWithin(limits.maxUncompressedBytes);
    return archive;
  }

  get entryNames(): readonly string[] {
    return this.#files().map((file) => file.name);
  }

  has(name: string): boolean {
    const file = this.#zip.file(name);
    return file !== null && !file.dir;
  }

  declaredSize(name: string): number | undefined {
    const file = this.#zip.file(name);
    return file === null ? undefined : declaredUncompressedSize(file);
  }

  async readText(name: string, signal?: AbortSignal): Promise<string> {
    const bytes = await this.readBytes(name, signal);
    // XML parts are UTF-8 in practice, but the standard allows UTF-16 announced by a byte-order mark.
    const encoding =
      bytes[0] === 0xff && bytes[1] === 0xfe
        ? 'utf-16le'
        : bytes[0] === 0xfe && bytes[1] === 0xff
          ? 'utf-16be'
          : 'utf-8';
    return new TextDecoder(encoding).decode(bytes);
  }

  /**
   * Inflates one entry, stopping as soon as it produces more bytes than its header declared: a
   * forged size is how a zip bomb slips past the declared-size check.
   */
  async readBytes(name: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#inflate(name, true, signal);
  }

  /**
   * Inflates every entry once, with the guard of `readBytes`, keeping nothing. Used before handing
   * the file to a library (mammoth, exceljs) that inflates it again on its own, unguarded.
   */
  async verifyEntries(signal?: AbortSignal): Promise<void> {
    for (const file of this.#files()) {
      await this.#inflate(file.name, false, signal);
    }
  }

  async #inflate(name: string, keep: boolean, signal?: AbortSignal): Promise<Uint8Array> {
    signal?.throwIfAborted();
    const file = this.#zip.file(name);
    if (file === null || file.dir) {
      throw new DocumentError('corrupt_document', `the ${this.#label} is incomplete: it has no ${name}`);
    }
    const declared = declaredUncompressedSize(file);
    return new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let inflated = 0;
      let settled = false;
      const stream = file.nodeStream('nodebuffer');
      const fail = (error: DocumentError): void => {
        if (settled) return;
        settled = true;
        // Stop inflating: whatever is left of a bomb is never produced.
        stream.pause();
        stream.removeAllListeners('data');
        reject(error);
      };
      // jszip's stream comes from an old readable-stream without async iteration: use events.
      stream.on('data', (chunk: Buffer | string) => {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        inflated += bytes.length;
        if (inflated > declared) {
          fail(
            new DocumentError(
              'corrupt_document',
              `the ${this.#label} is damaged or forged: ${name} inflates to more than the ${declared} bytes its header declares (the way zip bombs hide their size)`,
            ),
          );
          return;
        }
        if (keep) chunks.push(bytes);
      });
      stream.on('error', (error: unknown) => {
        fail(
          new DocumentError(
            'corrupt_document',
            `the ${this.#label} is damaged: ${name} cannot be decompressed (${errorMessage(error)})`,
            { cause: error },
          ),
        );
      });
      stream.on('end', () => {
        if (settled) return;
        settled = true;
        resolve(Buffer.concat(chunks));
      });
    });
  }

  /**
   * Replaces one entry and returns the new archive bytes, for handing pre-processed content to a
   * library. With DEFLATE jszip copies the untouched entries' compressed bytes as they are, so only
   * the replaced entry is compressed again. The archive object itself is changed.
   */
  async replaceEntry(name: string, content: string): Promise<Buffer> {
    this.#zip.file(name, content);
    return this.#zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
  }

  #files(): JSZip.JSZipObject[] {
    return Object.values(this.#zip.files).filter((file) => !file.dir);
  }

  #assertDeclaredSizeWithin(maxUncompressedBytes: number): void {
    const files = this.#files();
    if (files.length > MAX_ENTRIES) {
      throw new DocumentError(
        'archive_too_large',
        `the ${this.#label} contains ${files.length} files, more than the ${MAX_ENTRIES} allowed`,
      );
    }
    const total = files.reduce((sum, file) => sum + declaredUncompressedSize(file), 0);
    if (total > maxUncompressedBytes) {
      throw new DocumentError(
        'archive_too_large',
        `the ${this.#label} would inflate to ${formatBytes(total)}, more than the ${formatBytes(maxUncompressedBytes)} allowed`,
      );
    }
  }
}

/**
 * jszip keeps the directory's declared size on a private field; it is the only place the size is
 * available without inflating. An entry without one (never seen in practice) counts as unbounded.
 */
function declaredUncompressedSize(file: JSZip.JSZipObject): number {
  const size = (file as unknown as { _data?: { uncompressedSize?: unknown } })._data?.uncompressedSize;
  return typeof size === 'number' && Number.isFinite(size) && size >= 0 ? size : Number.POSITIVE_INFINITY;
}

function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'an unknown size';
  return bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
