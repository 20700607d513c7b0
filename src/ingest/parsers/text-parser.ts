import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { BlockCollector } from './block-collector.js';
import { requireText } from './text-decoding.js';

/**
 * Plain text has no markup, so blank lines are the only structure an author can express: each
 * run of lines between blank lines becomes a paragraph, keeping its inner line breaks (a poem, an
 * address) because we cannot tell deliberate breaks from hard wrapping.
 */
export const textParser: DocumentParser = {
  format: 'text',
  parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    signal?.throwIfAborted();
    const text = requireText(input, 'plain text');
    const collector = new BlockCollector(limits.maxCharacters);
    for (const paragraph of text.replace(/\r\n?/g, '\n').split(/\n[ \t\f\v]*\n/)) {
      collector.paragraph(paragraph);
    }
    return Promise.resolve({ format: 'text', blocks: collector.blocks, metadata: {} });
  },
};
