/**
 * The one place that decides which object keys and prefixes are acceptable. Both adapters call it
 * before any I/O, so a key can never name a file outside the local root (`..`, absolute paths,
 * backslashes) and the two backends agree on what a key is: keys valid on one are valid on the
 * other, and keys that S3 would treat as distinct but a file system would merge (`a//b`, `a/./b`)
 * are refused everywhere.
 */
import { ValidationError } from '../core/errors.js';

/** S3 caps keys at 1024 bytes; keys are ASCII here, so characters and bytes agree. */
const maximumKeyLength = 1024;
const allowedCharacters = /^[A-Za-z0-9._/-]+$/;

function reject(field: 'key' | 'prefix', value: string, reason: string): never {
  // JSON.stringify shows control characters and quotes unambiguously; the slice keeps messages short.
  throw new ValidationError(`Invalid object ${field} ${JSON.stringify(value.slice(0, 200))}: ${reason}`, [
    { path: field, message: reason },
  ]);
}

function checkPath(field: 'key' | 'prefix', value: string, path: string): void {
  if (path.length === 0) reject(field, value, 'must not be empty');
  if (path.length > maximumKeyLength) reject(field, value, `must be at most ${maximumKeyLength} characters`);
  if (!allowedCharacters.test(path)) reject(field, value, 'may only contain A-Z a-z 0-9 . _ / -');
  for (const segment of path.split('/')) {
    if (segment.length === 0) reject(field, value, 'must not start or end with "/" nor contain "//"');
    if (segment === '.' || segment === '..') reject(field, value, 'must not contain "." or ".." segments');
  }
}

/** Throws ValidationError unless `key` is a relative, slash-separated path of safe characters. */
export function assertValidObjectKey(key: string): void {
  if (typeof key !== 'string') reject('key', String(key), 'must be a string');
  checkPath('key', key, key);
}

/**
 * Validates a prefix and returns it in its folder form, ending with exactly one "/": prefixes
 * name whole folders, so `tenants/a` covers `tenants/a/x` but never `tenants/ab/x`.
 */
export function toFolderPrefix(prefix: string): string {
  if (typeof prefix !== 'string') reject('prefix', String(prefix), 'must be a string');
  const path = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  checkPath('prefix', prefix, path);
  return `${path}/`;
}
