/**
 * Merges the descriptions of one entity (or relation) found in several chunks. Distinct
 * descriptions are kept one per line, the stored one first; when they no longer fit the limit,
 * a chat model (if given) summarises them into one description, as LightRAG does, and otherwise
 * the joined text is cut at a sentence end. The result never exceeds `maxLength` characters, so a
 * frequently mentioned entity cannot grow a description without bound.
 */
import type { ChatModel } from '../../core/models.js';
import { descriptionSummaryPrompt } from './extraction-prompts.js';
import { descriptionSeparator, distinctDescriptions } from './join-distinct-descriptions.js';
import { truncateAtSentence } from './truncate-at-sentence.js';

export interface MergeDescriptionsOptions {
  /** Summarises descriptions that exceed the limit; without one they are truncated. */
  readonly chatModel?: ChatModel;
  /** In UTF-16 code units (JavaScript string length). */
  readonly maxLength: number;
  readonly signal?: AbortSignal;
  /** The entity or relation described, named in the summary request for context. */
  readonly subject?: string;
}

// The summary is asked to be this much shorter than the limit, leaving room for loose counting.
const summaryTargetRatio = 0.8;
const thinking = /<think>[\s\S]*?<\/think>/gi;

export async function mergeDescriptions(
  existing: string,
  incoming: readonly string[],
  options: MergeDescriptionsOptions,
): Promise<string> {
  const { chatModel, maxLength, signal, subject } = options;
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`maxLength must be a positive integer, not ${maxLength}`);
  }
  const descriptions = distinctDescriptions([existing, ...incoming]);
  const joined = descriptions.join(descriptionSeparator);
  if (joined.length <= maxLength || chatModel === undefined) return truncateAtSentence(joined, maxLength);

  signal?.throwIfAborted();
  const targetLength = Math.max(1, Math.floor(maxLength * summaryTargetRatio));
  const response = await chatModel.complete({
    messages: [{ role: 'user', content: descriptionSummaryPrompt(descriptions, targetLength, subject) }],
    temperature: 0,
    ...(signal === undefined ? {} : { signal }),
  });
  const summary = response.content.replace(thinking, '').trim();
  // An empty answer would erase what is known: keep the descriptions, cut to fit, instead.
  return truncateAtSentence(summary === '' ? joined : summary, maxLength);
}
