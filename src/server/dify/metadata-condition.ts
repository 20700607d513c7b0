import { z } from 'zod';

/**
 * Dify's `metadata_condition` (External Knowledge API): conditions on a document's metadata joined
 * by `and`/`or`. Dify sends it from workflows and API calls; the operator names are Dify's own.
 * `null`/`not null` are the older names of `empty`/`not empty`; `!=`, `>=`, `<=` are accepted as
 * ASCII spellings of `≠`, `≥`, `≤`.
 */
export const metadataOperators = [
  'contains',
  'not contains',
  'start with',
  'end with',
  'is',
  'is not',
  'in',
  'not in',
  'empty',
  'not empty',
  'null',
  'not null',
  '=',
  '≠',
  '!=',
  '>',
  '<',
  '≥',
  '>=',
  '≤',
  '<=',
  'before',
  'after',
] as const;
export type MetadataOperator = (typeof metadataOperators)[number];

const conditionValue = z.union([
  z.string().max(1_000),
  z.number(),
  z.array(z.union([z.string().max(1_000), z.number()])).max(100),
]);

export const metadataConditionSchema = z.object({
  logical_operator: z.enum(['and', 'or']).default('and'),
  conditions: z
    .array(
      z.object({
        // Newer Dify sends one field name; older releases sent a list of names.
        name: z.union([z.string().min(1).max(200), z.array(z.string().min(1).max(200)).min(1).max(20)]),
        comparison_operator: z.enum(metadataOperators),
        value: conditionValue.nullish(),
      }),
    )
    .max(50),
});
export type MetadataCondition = z.output<typeof metadataConditionSchema>;
type Condition = MetadataCondition['conditions'][number];

function isEmpty(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)
  );
}

function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

/** Dates as ISO strings or epoch seconds/milliseconds (Dify stores times as Unix seconds). */
function asTime(value: unknown): number | null {
  const numeric = asNumber(value);
  if (numeric !== null) return numeric < 1e11 ? numeric * 1_000 : numeric;
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

/** Values of a field as a list: a list field is matched element by element. */
function texts(value: unknown): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.map(asText).filter((text): text is string => text !== null);
}

function compareNumbers(
  field: unknown,
  expected: unknown,
  test: (left: number, right: number) => boolean,
): boolean {
  const left = asNumber(field);
  const right = asNumber(expected);
  return left !== null && right !== null && test(left, right);
}

function holdsForField(field: unknown, condition: Condition): boolean {
  const expected = condition.value;
  const expectedText = asText(expected);
  switch (condition.comparison_operator) {
    case 'empty':
    case 'null':
      return isEmpty(field);
    case 'not empty':
    case 'not null':
      return !isEmpty(field);
    case 'contains':
      return expectedText !== null && texts(field).some((text) => text.includes(expectedText));
    case 'not contains':
      return expectedText !== null && !texts(field).some((text) => text.includes(expectedText));
    case 'start with':
      return expectedText !== null && texts(field).some((text) => text.startsWith(expectedText));
    case 'end with':
      return expectedText !== null && texts(field).some((text) => text.endsWith(expectedText));
    case 'is':
      return expectedText !== null && texts(field).some((text) => text === expectedText);
    case 'is not':
      return expectedText !== null && !texts(field).some((text) => text === expectedText);
    case 'in':
    case 'not in': {
      const allowed = new Set(texts(expected));
      const found = texts(field).some((text) => allowed.has(text));
      return condition.comparison_operator === 'in' ? found : !isEmpty(field) && !found;
    }
    case '=':
      return compareNumbers(field, expected, (left, right) => left === right);
    case '≠':
    case '!=':
      return compareNumbers(field, expected, (left, right) => left !== right);
    case '>':
      return compareNumbers(field, expected, (left, right) => left > right);
    case '<':
      return compareNumbers(field, expected, (left, right) => left < right);
    case '≥':
    case '>=':
      return compareNumbers(field, expected, (left, right) => left >= right);
    case '≤':
    case '<=':
      return compareNumbers(field, expected, (left, right) => left <= right);
    case 'before':
    case 'after': {
      const left = asTime(field);
      const right = asTime(expected);
      if (left === null || right === null) return false;
      return condition.comparison_operator === 'before' ? left < right : left > right;
    }
  }
}

/** Whether a document's metadata satisfies the condition (a list of names: any of them). */
export function matchesMetadataCondition(
  metadata: Record<string, unknown>,
  condition: MetadataCondition,
): boolean {
  if (condition.conditions.length === 0) return true;
  const results = condition.conditions.map((entry) => {
    const names = Array.isArray(entry.name) ? entry.name : [entry.name];
    return names.some((name) =>
      holdsForField(Object.hasOwn(metadata, name) ? metadata[name] : undefined, entry),
    );
  });
  return condition.logical_operator === 'and' ? results.every(Boolean) : results.some(Boolean);
}
