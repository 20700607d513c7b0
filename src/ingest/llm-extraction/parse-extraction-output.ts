/**
 * Reads a chat model's extraction answer. Models wrap JSON in code fences, prefix it with
 * reasoning, send strengths as strings and now and then emit a malformed item among good ones: the
 * answer is accepted whenever it contains a JSON object, and each item is validated on its own so a
 * bad one is dropped instead of failing the chunk. Only an answer with no JSON object at all is
 * rejected (`undefined`), which the caller answers with a repair request.
 */
import { z } from 'zod';

export interface ExtractedEntityItem {
  readonly name: string;
  readonly type: string | undefined;
  readonly description: string | undefined;
}

export interface ExtractedRelationItem {
  readonly source: string;
  readonly target: string;
  readonly description: string | undefined;
  readonly keywords: readonly string[];
  /** As the model gave it (meant to be 1–10); undefined when missing or not a number. */
  readonly strength?: number | undefined;
}

export interface ExtractionOutput {
  readonly entities: readonly ExtractedEntityItem[];
  readonly relations: readonly ExtractedRelationItem[];
  /** Items that failed validation and were left out. */
  readonly droppedItems: number;
}

// Names are sometimes numbers (a year, "1984" the novel): they are still names.
const nameSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value).trim())
  .pipe(z.string().min(1));

const optionalTextSchema = z
  .string()
  .optional()
  .catch(undefined)
  .transform((value) => {
    const trimmed = value?.trim();
    return trimmed === undefined || trimmed === '' ? undefined : trimmed;
  });

// Asked for a list; "a, b" and lists holding non-strings also arrive.
const keywordsSchema = z
  .union([
    z.string().transform((value) => value.split(/[,，、;；]/)),
    z.array(z.unknown()).transform((values) => values.filter((value) => typeof value === 'string')),
  ])
  .optional()
  .catch(undefined)
  .transform((values) => (values ?? []).map((value) => value.trim()).filter((value) => value !== ''));

const strengthSchema = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/)
      .transform(Number),
  ])
  .optional()
  .catch(undefined);

const entitySchema = z.preprocess(
  // A bare string is an entity named by it, without type or description.
  (value) => (typeof value === 'string' ? { name: value } : value),
  z.object({ name: nameSchema, type: optionalTextSchema, description: optionalTextSchema }),
);

const relationSchema = z.object({
  source: nameSchema,
  target: nameSchema,
  description: optionalTextSchema,
  keywords: keywordsSchema,
  strength: strengthSchema,
});

const answerSchema = z.object({
  entities: z.array(z.unknown()).catch([]),
  relations: z.array(z.unknown()).catch([]),
});

const codeFence = /```[a-zA-Z]*\s*\n?([\s\S]*?)```/;
// Reasoning models (DeepSeek-R1, Qwen3) may put their thinking before the answer.
const thinking = /<think>[\s\S]*?<\/think>/gi;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The JSON object in an answer, or undefined when there is none. */
function findJsonObject(content: string): Record<string, unknown> | undefined {
  let text = content.replace(thinking, '').trim();
  const fenced = codeFence.exec(text);
  if (fenced?.[1] !== undefined) text = fenced[1].trim();
  let parsed = parseJson(text);
  if (parsed === undefined) {
    // Prose around the object ("Here is the JSON: {...}. Let me know…").
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start !== -1 && end > start) parsed = parseJson(text.slice(start, end + 1));
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : undefined;
}

function validItems<Item>(
  values: readonly unknown[],
  schema: z.ZodType<Item>,
): { items: Item[]; dropped: number } {
  const items: Item[] = [];
  let dropped = 0;
  for (const value of values) {
    const parsed = schema.safeParse(value);
    if (parsed.success) items.push(parsed.data);
    else dropped += 1;
  }
  return { items, dropped };
}

export function parseExtractionOutput(content: string): ExtractionOutput | undefined {
  const object = findJsonObject(content);
  if (object === undefined) return undefined;
  // Cannot fail: both fields fall back to an empty list.
  const answer = answerSchema.parse(object);
  const entities = validItems(answer.entities, entitySchema);
  const relations = validItems(answer.relations, relationSchema);
  return {
    entities: entities.items,
    relations: relations.items,
    droppedItems: entities.dropped + relations.dropped,
  };
}
