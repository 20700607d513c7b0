/**
 * Turns the answers of one chunk's extraction (the first answer and each gleaning) into the
 * entities and relations of the chunk, merged by normalised name as the graph merges them:
 *
 * - an entity's type is the first one given that is not `other`; its descriptions are joined
 *   without repeats; its count is how often the text mentions it (at least 1);
 * - a relation naming an entity that was not listed adds that entity with type `other` (as
 *   LightRAG does: the model saw it in the text, it just did not list it);
 * - self-loops are dropped, and a pair found twice, in either order, is one relation whose weight
 *   is the sum of both. Pairs are returned with `source` < `target` (like the offline extractor's),
 *   so the same pair from two chunks merges into one edge;
 * - the caps keep the entities the model listed first (it is asked to list the most important
 *   first) and the heaviest relations between kept entities.
 */
import type {
  ChunkKnowledge,
  ExtractedEntityMention,
  ExtractedRelation,
} from '../../core/knowledge-extractor.js';
import { normalizeEntityName } from '../extraction/normalize-entity-name.js';
import { countMentions } from './count-mentions.js';
import { joinDistinctDescriptions } from './join-distinct-descriptions.js';
import type { ExtractionOutput } from './parse-extraction-output.js';

export interface LlmExtractedRelation extends ExtractedRelation {
  /** The kind of relation in a few words, as the model summed it up. */
  readonly keywords: readonly string[];
}

export interface LlmChunkKnowledge extends ChunkKnowledge {
  readonly relations: readonly LlmExtractedRelation[];
}

export interface AssembleOptions {
  /** Lower-case types the model may use; others become `other`. */
  readonly entityTypes: readonly string[];
  readonly maxEntities: number;
  readonly maxRelations: number;
}

const fallbackType = 'other';
/** Weight of a relation whose strength the model did not give. */
const defaultWeight = 0.5;

interface EntityDraft {
  readonly name: string;
  readonly key: string;
  type: string;
  readonly names: Set<string>;
  readonly descriptions: string[];
}

interface RelationDraft {
  readonly source: string;
  readonly target: string;
  weight: number;
  readonly descriptions: string[];
  readonly keywords: Set<string>;
}

/** Strength 1–10 as a weight in (0, 1]. A strength under 1 is taken as already on a 0–1 scale. */
function weightOf(strength: number | undefined): number {
  if (strength === undefined || !Number.isFinite(strength) || strength <= 0) return defaultWeight;
  if (strength < 1) return strength;
  return Math.min(strength, 10) / 10;
}

export function assembleChunkKnowledge(
  text: string,
  answers: readonly ExtractionOutput[],
  options: AssembleOptions,
): LlmChunkKnowledge {
  const allowedTypes = new Set(options.entityTypes);
  const entities = new Map<string, EntityDraft>();

  const addEntity = (name: string, type: string | undefined, description: string | undefined): string => {
    const key = normalizeEntityName(name);
    if (key === '') return key;
    const lowerType = type?.trim().toLowerCase();
    const knownType = lowerType !== undefined && allowedTypes.has(lowerType) ? lowerType : fallbackType;
    const draft = entities.get(key);
    if (draft === undefined) {
      entities.set(key, {
        name,
        key,
        type: knownType,
        names: new Set([name]),
        descriptions: description === undefined ? [] : [description],
      });
    } else {
      if (draft.type === fallbackType) draft.type = knownType;
      draft.names.add(name);
      if (description !== undefined) draft.descriptions.push(description);
    }
    return key;
  };

  // Listed entities first, from every answer, so an endpoint a relation adds as `other` gets its
  // real type when a later answer lists it, and listed entities come first under the cap.
  for (const answer of answers) {
    for (const entity of answer.entities) addEntity(entity.name, entity.type, entity.description);
  }

  const relations = new Map<string, RelationDraft>();
  for (const answer of answers) {
    for (const relation of answer.relations) {
      const sourceKey = normalizeEntityName(relation.source);
      const targetKey = normalizeEntityName(relation.target);
      if (sourceKey === '' || targetKey === '' || sourceKey === targetKey) continue;
      if (!entities.has(sourceKey)) addEntity(relation.source, undefined, undefined);
      if (!entities.has(targetKey)) addEntity(relation.target, undefined, undefined);
      const [source, target] = sourceKey < targetKey ? [sourceKey, targetKey] : [targetKey, sourceKey];
      const pairKey = `${source}\u0000${target}`;
      let draft = relations.get(pairKey);
      if (draft === undefined) {
        draft = { source, target, weight: 0, descriptions: [], keywords: new Set() };
        relations.set(pairKey, draft);
      }
      draft.weight += weightOf(relation.strength);
      if (relation.description !== undefined) draft.descriptions.push(relation.description);
      for (const keyword of relation.keywords) draft.keywords.add(keyword);
    }
  }

  const keptEntities = [...entities.values()].slice(0, options.maxEntities);
  const keptKeys = new Set(keptEntities.map((entity) => entity.key));
  const keptRelations = [...relations.values()]
    .filter((relation) => keptKeys.has(relation.source) && keptKeys.has(relation.target))
    // Stable: among equal weights the model's order stands.
    .sort((left, right) => right.weight - left.weight)
    .slice(0, options.maxRelations);

  return {
    entities: keptEntities.map((draft): ExtractedEntityMention => {
      const description = joinDistinctDescriptions(draft.descriptions);
      return {
        name: draft.name,
        normalizedName: draft.key,
        type: draft.type,
        count: countMentions(text, draft.names),
        ...(description === '' ? {} : { description }),
      };
    }),
    relations: keptRelations.map((draft): LlmExtractedRelation => {
      const description = joinDistinctDescriptions(draft.descriptions);
      return {
        source: draft.source,
        target: draft.target,
        weight: draft.weight,
        keywords: [...draft.keywords],
        ...(description === '' ? {} : { description }),
      };
    }),
  };
}
