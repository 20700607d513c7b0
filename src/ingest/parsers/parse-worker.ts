import type { ParserLimits, StructuredDocument } from '../../core/document.js';
import { isRhizomeError } from '../../core/errors.js';
import { parseDocument } from './index.js';

/**
 * The task a parser thread runs (see parser-pool.ts). Errors cross the thread boundary as plain
 * values: class identity does not survive structured cloning, and the code is what matters.
 */
export interface ParseTask {
  readonly bytes: Uint8Array;
  readonly fileName: string;
  readonly declaredMediaType?: string;
  readonly limits: ParserLimits;
}

export type ParseOutcome =
  | { readonly ok: true; readonly document: StructuredDocument }
  | { readonly ok: false; readonly code: string; readonly message: string };

export default async function parseInThread(task: ParseTask): Promise<ParseOutcome> {
  try {
    const document = await parseDocument(
      {
        bytes: task.bytes,
        fileName: task.fileName,
        ...(task.declaredMediaType === undefined ? {} : { declaredMediaType: task.declaredMediaType }),
      },
      task.limits,
    );
    return { ok: true, document };
  } catch (error) {
    return describeParseFailure(error, task.fileName);
  }
}

/**
 * Parsing is a pure function of the bytes: whatever a parser throws, it would throw again on every
 * retry, so every failure here is a document error — a library's own exception on hostile input
 * included. A stack overflow means nesting our depth checks did not anticipate.
 */
export function describeParseFailure(error: unknown, fileName: string): ParseOutcome & { ok: false } {
  // By shape as well as by class: a loader may give a lazily imported parser its own copy of the
  // errors module, and then `instanceof` fails for the very errors we throw.
  if (isRhizomeError(error) || (error instanceof Error && error.name === 'DocumentError' && 'code' in error)) {
    return { ok: false, code: String((error as { code: unknown }).code), message: error.message };
  }
  if (error instanceof RangeError && /call stack/i.test(error.message)) {
    return { ok: false, code: 'document_too_complex', message: `${fileName} is nested too deeply to parse` };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { ok: false, code: 'corrupt_document', message: `${fileName} could not be parsed: ${detail.slice(0, 300)}` };
}
