import type { z } from 'zod';
import { ValidationError } from '../core/errors.js';

export type InputLocation = 'body' | 'query' | 'params' | 'headers';

/** Parses request input with a zod schema; failures list every offending field. */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  location: InputLocation,
): z.infer<Schema> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ValidationError(`Invalid request ${location}`, fields);
}
