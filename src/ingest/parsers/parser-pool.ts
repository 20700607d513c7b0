import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import type { ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import type { ParseOutcome, ParseTask } from './parse-worker.js';

export interface ParserPoolOptions {
  /** Parser threads; documents beyond that wait their turn. */
  readonly threads: number;
  /** A document still parsing after this long is too complex (its thread is terminated). */
  readonly timeoutMs: number;
  /** Heap limit of each parser thread; a document needing more is too complex. */
  readonly memoryMb: number;
  /** Told about threads that fail outside any task. */
  readonly onThreadError?: (error: unknown) => void;
}

type DocumentErrorCode = ConstructorParameters<typeof DocumentError>[0];

/**
 * Parses documents in worker threads (piscina), so a hostile or pathological file can never block
 * the event loop that answers HTTP requests and heartbeats jobs. Each document gets a time and a
 * heap limit; exceeding either terminates its thread and fails the document permanently as
 * `document_too_complex` — retrying would only block the next worker the same way.
 */
export class ParserPool {
  readonly #pool: Piscina<ParseTask, ParseOutcome>;
  readonly #options: ParserPoolOptions;

  constructor(options: ParserPoolOptions) {
    this.#options = options;
    const compiled = import.meta.url.endsWith('.js');
    this.#pool = new Piscina<ParseTask, ParseOutcome>({
      filename: new URL(`./parse-worker.${compiled ? 'js' : 'ts'}`, import.meta.url).href,
      // Run from the TypeScript sources (a checkout, the tests), threads load them through tsx,
      // resolved from here so the working directory does not matter.
      ...(compiled ? {} : { execArgv: ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] }),
      minThreads: 0,
      maxThreads: options.threads,
      // Starting a thread costs seconds on a busy machine: keep idle ones for a while.
      idleTimeout: 10 * 60_000,
      resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
    });
    // A thread that dies with no task (e.g. out of memory while starting) is reported here; the
    // task it would have run is failed by its deadline. Unhandled, it would end the process.
    this.#pool.on('error', (error: unknown) => options.onThreadError?.(error));
  }

  async parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    signal?.throwIfAborted();
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    let outcome: ParseOutcome;
    try {
      outcome = await this.#pool.run(
        {
          bytes: input.bytes,
          fileName: input.fileName,
          ...(input.declaredMediaType === undefined ? {} : { declaredMediaType: input.declaredMediaType }),
          limits,
        },
        { signal: combined },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (deadline.aborted) {
        throw new DocumentError(
          'document_too_complex',
          `${input.fileName} took longer than ${Math.round(this.#options.timeoutMs / 1000)} s to parse`,
        );
      }
      if ((error as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        throw new DocumentError(
          'document_too_complex',
          `${input.fileName} needs more than ${this.#options.memoryMb} MB of memory to parse`,
        );
      }
      throw error;
    }
    if (outcome.ok) return outcome.document;
    throw new DocumentError(outcome.code as DocumentErrorCode, outcome.message);
  }

  /** Terminates the threads; documents still parsing reject. */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
