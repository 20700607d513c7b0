/**
 * The prompts of LLM knowledge extraction, after LightRAG's: one system prompt naming the entity
 * types and the JSON shape, a user prompt carrying the chunk, a "gleaning" prompt that asks for what
 * the first answer missed, and a repair prompt for an answer that was not JSON.
 *
 * LightRAG asks for delimited tuples; we ask for one JSON object instead because the chat port can
 * request JSON mode (`response_format: json_object`), which most providers then guarantee, and zod
 * can validate it item by item.
 */

export interface ExtractionPromptOptions {
  readonly entityTypes: readonly string[];
  /** Language of the descriptions, e.g. `English` or `Chinese`; absent: the language of the text. */
  readonly language: string | undefined;
  readonly maxEntities: number;
  readonly maxRelations: number;
}

// One short example so the model sees every field once. The Chinese sentence shows that names are
// copied as written, not translated or romanised, and that descriptions follow the text's language.
const example = `Example text:
"Marie Curie worked at the University of Paris, where she and Pierre Curie studied radioactivity. 复旦大学位于上海。"

Example answer:
{
  "entities": [
    { "name": "Marie Curie", "type": "person", "description": "Physicist and chemist who researched radioactivity at the University of Paris." },
    { "name": "University of Paris", "type": "organization", "description": "University where Marie Curie worked." },
    { "name": "Pierre Curie", "type": "person", "description": "Scientist who studied radioactivity with Marie Curie." },
    { "name": "radioactivity", "type": "concept", "description": "Phenomenon studied by Marie and Pierre Curie." },
    { "name": "复旦大学", "type": "organization", "description": "位于上海的大学。" },
    { "name": "上海", "type": "place", "description": "复旦大学所在的城市。" }
  ],
  "relations": [
    { "source": "Marie Curie", "target": "University of Paris", "description": "Marie Curie worked at the University of Paris.", "keywords": ["employment", "research"], "strength": 9 },
    { "source": "Marie Curie", "target": "Pierre Curie", "description": "They studied radioactivity together.", "keywords": ["collaboration"], "strength": 8 },
    { "source": "复旦大学", "target": "上海", "description": "复旦大学位于上海。", "keywords": ["位置"], "strength": 7 }
  ]
}`;

export function extractionSystemPrompt(options: ExtractionPromptOptions): string {
  const language =
    options.language === undefined
      ? 'Write every description in the same language as the text (Chinese text gets Chinese descriptions).'
      : `Write every description in ${options.language}.`;
  return `You are a knowledge-graph extraction assistant. From the text the user gives you, identify entities and the relations between them.

Entities:
- Identify every clearly named entity. Its "type" is exactly one of: ${options.entityTypes.join(', ')}. Use "other" when none fits.
- "name": the entity's name exactly as written in the text. Do not translate, romanise or paraphrase it; keep its script (for example 复旦大学 stays 复旦大学, never Fudan University) and its capitalisation.
- "description": one or two sentences on the entity's attributes and activities, using only what the text says.
- At most ${options.maxEntities} entities, the most important first.

Relations:
- Pairs of the entities above that the text clearly relates. "source" and "target" are entity names exactly as you wrote them in "entities".
- "description": why the two are related, from the text. "keywords": a few words summing up the kind of relation.
- "strength": an integer from 1 (weak, incidental) to 10 (strong, central to the text).
- At most ${options.maxRelations} relations, the strongest first.

${language} Use only information in the text.

Answer with one JSON object and nothing else, of this shape:
{ "entities": [{ "name": string, "type": string, "description": string }], "relations": [{ "source": string, "target": string, "description": string, "keywords": string[], "strength": number }] }

${example}`;
}

export function extractionUserPrompt(text: string): string {
  return `Extract the entities and relations of this text.\n\nText:\n"""\n${text}\n"""`;
}

/** LightRAG's continuation prompt, asking for JSON in the same shape. */
export function gleaningPrompt(): string {
  return 'MANY entities and relations were missed in the last extraction. Add them below using the same format: answer with one JSON object of the same shape that contains only the entities and relations not already listed.';
}

export function repairPrompt(): string {
  return 'Your last answer was not valid JSON. Answer again with only the JSON object of the required shape: { "entities": [...], "relations": [...] }, with no other text.';
}

/**
 * LightRAG's description summary, asking for fewer characters than the hard limit because models
 * count characters loosely; whatever comes back is still cut to the limit.
 */
export function descriptionSummaryPrompt(
  descriptions: readonly string[],
  targetLength: number,
  subject: string | undefined,
): string {
  const about = subject === undefined ? '' : ` of "${subject}"`;
  return `Below are several descriptions${about}, gathered from different parts of a document collection. Write one comprehensive description that combines them: keep the information from all of them, resolve contradictions into one coherent account, write in the third person and name the subject so the description stands on its own. Write in the language of the descriptions. Use at most ${targetLength} characters. Answer with the description only.

Descriptions:
${descriptions.map((description) => `- ${description}`).join('\n')}`;
}
