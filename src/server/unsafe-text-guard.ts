import type { FastifyInstance } from 'fastify';
import { ValidationError } from '../core/errors.js';
import { findUnsafeText } from '../core/text-safety.js';

export function unsafeTextError(path: string): ValidationError {
  return new ValidationError('Text must not contain NUL characters or unpaired surrogates', [
    { path, message: 'contains a NUL character or an unpaired UTF-16 surrogate' },
  ]);
}

/**
 * Refuses NUL characters and lone surrogates in every route's path parameters, query string and
 * JSON body with a 400 naming the field, before any handler sees them. Multipart uploads are
 * streamed, not parsed here: the document routes check their fields themselves.
 */
export function registerUnsafeTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [location, value] of [
      ['params', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const) {
      const path = findUnsafeText(value, location);
      if (path !== undefined) throw unsafeTextError(path);
    }
  });
}
