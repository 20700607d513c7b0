/**
 * The LLM adapter of the knowledge-extraction port, after LightRAG: a chat model lists the
 * entities and relations of a chunk as JSON, then is asked (gleaning) for the ones it missed, with
 * its first answer as conversation history; models reliably find more on the second look.
 *
 * Entities are keyed by the same normalisation as the offline extractor's, so graphs built by
 * either merge. An answer that is not JSON gets one repair request; if that fails too, the first
 * extraction fails with UpstreamError('extraction_invalid_output') and the ingestion job's retry
 * decides, while a failed gleaning only loses its additions (the first answer stands on its own).
 */
import type { Logger } from 'pino';
import { z } from 'zod';

import { UpstreamError, ValidationError } from '../../core/errors.js';
import type { KnowledgeExtractor } from '../../core/knowledge-extractor.js';
import type { ChatMessage, ChatModel } from '../../core/models.js';
import { normalizeEntityName } from '../extraction/normalize-entity-name.js';
import { assembleChunkKnowledge, type LlmChunkKnowledge } from './assemble-chunk-knowledge.js';
import {
  extractionSystemPrompt,
  extractionUserPrompt,
  gleaningPrompt,
  repairPrompt,
} from './extraction-prompts.js';
import { parseExtractionOutput, type ExtractionOutput } from './parse-extraction-output.js';

export const defaultEntityTypes = [
  'person',
  'organization',
  'place',
  'event',
  'work',
  'concept',
  'technology',
  'other',
] as const;

const settingsSchema = z.object({
  entityTypes: z
    .array(z.string().trim().toLowerCase().min(1))
    .min(1)
    .default([...defaultEntityTypes])
    // `other` is the fallback for anything unlisted, so it is always allowed.
    .transform((types) => [...new Set([...types, 'other'])]),
  language: z.string().trim().min(1).optional(),
  gleaning: z.number().int().min(0).max(5).default(1),
  maxEntitiesPerChunk: z.number().int().min(1).default(40),
  maxRelationsPerChunk: z.number().int().min(0).default(60),
});

export interface LlmKnowledgeExtractorOptions {
  readonly chatModel: ChatModel;
  readonly logger: Logger;
  /** Default: person, organization, place, event, work, concept, technology, other. */
  readonly entityTypes?: readonly string[];
  /** Language of the descriptions, e.g. `English`, `Chinese`; default: the language of each chunk. */
  readonly language?: string;
  /** Follow-up passes asking for what the model missed (0–5, default 1; 0 turns gleaning off). */
  readonly gleaning?: number;
  /** Default 40. */
  readonly maxEntitiesPerChunk?: number;
  /** Default 60. */
  readonly maxRelationsPerChunk?: number;
}

interface ValidAnswer {
  readonly output: ExtractionOutput;
  /** The answer's text, sent back as the assistant's turn of the history. */
  readonly content: string;
}

export class LlmKnowledgeExtractor implements KnowledgeExtractor {
  readonly name: string;
  readonly maxConcurrency: number;
  private readonly chatModel: ChatModel;
  private readonly logger: Logger;
  private readonly settings: z.output<typeof settingsSchema>;
  private readonly systemPrompt: string;

  constructor(options: LlmKnowledgeExtractorOptions) {
    const { chatModel, logger, ...rest } = options;
    const parsed = settingsSchema.safeParse(rest);
    if (!parsed.success) {
      throw new ValidationError(
        'Invalid LLM knowledge extractor options',
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    this.settings = parsed.data;
    this.chatModel = chatModel;
    this.logger = logger;
    this.name = `rhizome-llm-v1/${chatModel.model}`;
    this.maxConcurrency = chatModel.maxConcurrency;
    this.systemPrompt = extractionSystemPrompt({
      entityTypes: this.settings.entityTypes,
      language: this.settings.language,
      maxEntities: this.settings.maxEntitiesPerChunk,
      maxRelations: this.settings.maxRelationsPerChunk,
    });
  }

  async extract(text: string, signal?: AbortSignal): Promise<LlmChunkKnowledge> {
    signal?.throwIfAborted();
    if (text.trim() === '') return { entities: [], relations: [] };

    const opening: ChatMessage[] = [
      { role: 'system', content: this.systemPrompt },
      { role: 'user', content: extractionUserPrompt(text) },
    ];
    const first = await this.ask(opening, signal);
    if (first === undefined) {
      throw new UpstreamError(
        'extraction_invalid_output',
        `The chat model ${this.chatModel.model} did not answer the extraction with JSON, even when asked again`,
        { details: { model: this.chatModel.model } },
      );
    }

    const answers = [first.output];
    let history: ChatMessage[] = [...opening, { role: 'assistant', content: first.content }];
    for (let pass = 1; pass <= this.settings.gleaning; pass += 1) {
      const messages: ChatMessage[] = [...history, { role: 'user', content: gleaningPrompt() }];
      const gleaned = await this.ask(messages, signal);
      if (gleaned === undefined) {
        this.logger.warn(
          { model: this.chatModel.model, pass },
          'Gleaning answer was not JSON even when asked again; keeping the earlier answers',
        );
        break;
      }
      answers.push(gleaned.output);
      // Nothing new: a further pass would only repeat the question.
      if (!addsEntities(answers, gleaned.output) && gleaned.output.relations.length === 0) break;
      history = [...messages, { role: 'assistant', content: gleaned.content }];
    }

    const knowledge = assembleChunkKnowledge(text, answers, {
      entityTypes: this.settings.entityTypes,
      maxEntities: this.settings.maxEntitiesPerChunk,
      maxRelations: this.settings.maxRelationsPerChunk,
    });
    this.logger.debug(
      {
        model: this.chatModel.model,
        answers: answers.length,
        entities: knowledge.entities.length,
        relations: knowledge.relations.length,
      },
      'Extracted knowledge from chunk',
    );
    return knowledge;
  }

  /** One request, and one repair request if the answer holds no JSON object; undefined if neither does. */
  private async ask(
    messages: readonly ChatMessage[],
    signal: AbortSignal | undefined,
  ): Promise<ValidAnswer | undefined> {
    const answer = await this.complete(messages, signal);
    const output = parseExtractionOutput(answer);
    if (output !== undefined) return this.accepted(output, answer);

    this.logger.warn(
      { model: this.chatModel.model, answerStart: answer.slice(0, 200) },
      'Extraction answer was not JSON; asking once more',
    );
    const repaired = await this.complete(
      [...messages, { role: 'assistant', content: answer }, { role: 'user', content: repairPrompt() }],
      signal,
    );
    const repairedOutput = parseExtractionOutput(repaired);
    return repairedOutput === undefined ? undefined : this.accepted(repairedOutput, repaired);
  }

  private async complete(messages: readonly ChatMessage[], signal: AbortSignal | undefined): Promise<string> {
    signal?.throwIfAborted();
    const response = await this.chatModel.complete({
      messages,
      temperature: 0,
      json: true,
      ...(signal === undefined ? {} : { signal }),
    });
    return response.content;
  }

  private accepted(output: ExtractionOutput, content: string): ValidAnswer {
    if (output.droppedItems > 0) {
      this.logger.debug(
        { model: this.chatModel.model, dropped: output.droppedItems },
        'Dropped invalid extraction items',
      );
    }
    return { output, content };
  }
}

/** Whether `latest` names an entity that none of the answers before it named. */
function addsEntities(answers: readonly ExtractionOutput[], latest: ExtractionOutput): boolean {
  const known = new Set(
    answers
      .filter((answer) => answer !== latest)
      .flatMap((answer) => answer.entities.map((entity) => normalizeEntityName(entity.name))),
  );
  return latest.entities.some((entity) => !known.has(normalizeEntityName(entity.name)));
}
