/**
 * Where original uploads are kept. A local folder by default; S3-compatible object storage (AWS S3,
 * Alibaba OSS, MinIO, …) when configured. Keys are slash-separated paths chosen by Rhizome, never
 * by users.
 */
export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  put(key: string, bytes: Uint8Array, contentType?: string, signal?: AbortSignal): Promise<void>;
  /** Throws NotFoundError('object', key) when absent. */
  get(key: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** Idempotent: deleting a missing object is not an error. */
  delete(key: string, signal?: AbortSignal): Promise<void>;
  /** Deletes every object under `prefix` (e.g. a whole tenant). */
  deletePrefix(prefix: string, signal?: AbortSignal): Promise<void>;
}
