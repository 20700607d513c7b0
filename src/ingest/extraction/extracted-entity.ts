/** What offline extraction finds in one chunk. */
import type { ExtractedEntityMention } from '../../core/knowledge-extractor.js';

export type EntityType = 'person' | 'place' | 'organization' | 'work' | 'concept' | 'other';

export interface EntityMention {
  /** Offsets into the chunk text (UTF-16 code units). */
  readonly start: number;
  readonly end: number;
  /** Index of the sentence the mention is in, from 0: relations weigh same-sentence pairs more. */
  readonly sentence: number;
}

export interface ExtractedEntity extends ExtractedEntityMention {
  /** The surface form most often used in the chunk. */
  readonly name: string;
  /** The merge key across chunks and documents (see normalize-entity-name.ts). */
  readonly normalizedName: string;
  readonly type: EntityType;
  readonly count: number;
  readonly mentions: readonly EntityMention[];
}

/** One mention found by one of the extractors, before mentions of the same entity are merged. */
export interface EntityCandidate {
  readonly name: string;
  readonly type: EntityType;
  readonly start: number;
  readonly end: number;
}
