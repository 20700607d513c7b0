import type { Config } from '../core/config.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { LocalObjectStorage } from '../storage/local-object-storage.js';
import { S3ObjectStorage } from '../storage/s3-object-storage.js';

/** The object storage the configuration names: a local folder, or an S3-compatible bucket. */
export function createStorage(config: Config): ObjectStorage {
  const settings = config.storage;
  if (settings.kind === 'local') return new LocalObjectStorage(settings.directory);
  return new S3ObjectStorage({
    bucket: settings.bucket,
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    keyPrefix: settings.keyPrefix,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(settings.accessKeyId && settings.secretAccessKey
      ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
      : {}),
  });
}
