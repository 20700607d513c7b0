/**
 * Object storage in a local folder: the default, so a single machine needs no object store.
 * Each key maps to a file under the root; key validation (object-key.ts) guarantees the path stays
 * inside it. Writes go to a temporary sibling and are renamed into place, so a reader never sees a
 * half-written object and a crash leaves at worst a stray temporary file, never a truncated one.
 *
 * One difference from S3 is inherent to folders: a key cannot be both an object and a folder of
 * other objects (`a` and `a/b`). Rhizome's keys never do that; if one did, `put` fails with
 * ConflictError('object_key_conflict') rather than corrupting either.
 */
import { randomUUID } from 'node:crypto';
import { lstat, mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { ConflictError, NotFoundError } from '../core/errors.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { assertValidObjectKey, toFolderPrefix } from './object-key.js';

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}

/** What the file system says when a key's path runs into a file where a folder should be, or the reverse. */
const pathShapeConflicts = new Set(['ENOTDIR', 'EISDIR', 'EEXIST', 'ENOTEMPTY']);

export class LocalObjectStorage implements ObjectStorage {
  readonly kind = 'local';
  readonly rootDirectory: string;

  constructor(rootDirectory: string) {
    this.rootDirectory = path.resolve(rootDirectory);
  }

  async put(key: string, bytes: Uint8Array, _contentType?: string, signal?: AbortSignal): Promise<void> {
    const target = this.pathOf(key);
    signal?.throwIfAborted();
    // The temporary name holds "~", which keys may not contain, so it can never collide with an
    // object; it lives in the target's folder so that the rename stays on one file system (atomic).
    const temporary = path.join(path.dirname(target), `.${path.basename(target)}~${randomUUID()}`);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      // flush: the bytes reach the disk before the rename makes them visible.
      await writeFile(temporary, bytes, { signal, flush: true });
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      if (signal?.aborted) throw signal.reason;
      if (pathShapeConflicts.has(errorCode(error) ?? '')) {
        throw new ConflictError('object_key_conflict', `Object key '${key}' conflicts with an existing key`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    const target = this.pathOf(key);
    signal?.throwIfAborted();
    try {
      const buffer = await readFile(target, { signal });
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      // A folder (EISDIR) is a prefix of other keys, not an object, exactly as on S3.
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes(errorCode(error) ?? '')) {
        throw new NotFoundError('object', key);
      }
      throw error;
    }
  }

  async delete(key: string, signal?: AbortSignal): Promise<void> {
    const target = this.pathOf(key);
    signal?.throwIfAborted();
    try {
      await unlink(target);
    } catch (error) {
      // Missing, or a folder of other objects: either way there is no object to delete.
      if (['ENOENT', 'ENOTDIR', 'EISDIR', 'EPERM'].includes(errorCode(error) ?? '')) return;
      throw error;
    }
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<void> {
    const folder = this.pathOf(toFolderPrefix(prefix).slice(0, -1));
    signal?.throwIfAborted();
    try {
      // Only a folder is a prefix; a file of the same name is an object outside `prefix/`.
      if (!(await lstat(folder)).isDirectory()) return;
    } catch (error) {
      if (['ENOENT', 'ENOTDIR'].includes(errorCode(error) ?? '')) return;
      throw error;
    }
    await rm(folder, { recursive: true, force: true });
  }

  private pathOf(key: string): string {
    assertValidObjectKey(key);
    const resolved = path.resolve(this.rootDirectory, ...key.split('/'));
    // Defence in depth: validation already rules this out.
    if (!resolved.startsWith(this.rootDirectory + path.sep)) {
      throw new Error(`Key escapes the storage root: ${key}`);
    }
    return resolved;
  }
}
