/**
 * Object storage on any S3-compatible service: AWS S3, Alibaba OSS (virtual-hosted style, its
 * `https://oss-<region>.aliyuncs.com` endpoint), MinIO and other self-hosted stores (an `endpoint`
 * with `forcePathStyle: true`). The SDK retries transient failures itself (`maxAttempts`) and each
 * request is bounded by `timeoutMs` of socket inactivity, which bounds a stalled transfer without
 * cutting off a large upload that is still moving.
 *
 * Two settings keep third-party services working with current SDKs, which otherwise send CRC32
 * checksum headers that many of them reject:
 * - checksums are computed only when an operation requires one; integrity of uploads is still
 *   covered by the SigV4 payload hash;
 * - DeleteObjects, the one operation that requires a checksum, gets the classic Content-MD5 header
 *   (which AWS accepts too) instead of CRC32, as Alibaba OSS and older MinIO demand.
 */
import { createHash } from 'node:crypto';

import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';

import { NotFoundError, UpstreamError, ValidationError } from '../core/errors.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { assertValidObjectKey, toFolderPrefix } from './object-key.js';

export const s3ObjectStorageOptionsSchema = z
  .object({
    bucket: z.string().min(1),
    region: z.string().min(1),
    /** Omit for AWS; set for OSS, MinIO and other compatible services. */
    endpoint: z.url().optional(),
    /** `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`: MinIO and most self-hosted stores. */
    forcePathStyle: z.boolean().default(false),
    /** Both or neither; when neither, the SDK's default chain applies (environment, profile, instance role). */
    accessKeyId: z.string().min(1).optional(),
    secretAccessKey: z.string().min(1).optional(),
    /** Folder inside the bucket that holds Rhizome's objects, so one bucket can be shared. */
    keyPrefix: z.string().optional(),
    timeoutMs: z.number().int().positive().default(60_000),
    /** Attempts per request, the first included. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** Keys per ListObjectsV2 page and DeleteObjects call in `deletePrefix`; S3 allows at most 1000. */
    deleteBatchSize: z.number().int().min(1).max(1000).default(1000),
  })
  .refine((options) => (options.accessKeyId === undefined) === (options.secretAccessKey === undefined), {
    message: 'accessKeyId and secretAccessKey must be given together',
    path: ['accessKeyId'],
  });

export type S3ObjectStorageOptions = z.input<typeof s3ObjectStorageOptionsSchema>;

interface SdkFailure {
  readonly name?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

function asSdkFailure(error: unknown): SdkFailure {
  return typeof error === 'object' && error !== null ? (error as SdkFailure) : {};
}

export class S3ObjectStorage implements ObjectStorage {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly keyPrefix: string;
  private readonly deleteBatchSize: number;

  constructor(options: S3ObjectStorageOptions) {
    const parsed = s3ObjectStorageOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new ValidationError(
        'Invalid S3 object storage options',
        parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      );
    }
    const settings = parsed.data;
    this.bucket = settings.bucket;
    this.keyPrefix =
      settings.keyPrefix === undefined || settings.keyPrefix === '' ? '' : toFolderPrefix(settings.keyPrefix);
    this.deleteBatchSize = settings.deleteBatchSize;
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials:
        settings.accessKeyId !== undefined && settings.secretAccessKey !== undefined
          ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
          : undefined,
      maxAttempts: settings.maxAttempts,
      requestHandler: { connectionTimeout: settings.timeoutMs, socketTimeout: settings.timeoutMs },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.client.middlewareStack.add(
      (next, context) => async (args) => {
        const request = args.request as { headers?: Record<string, string>; body?: unknown };
        const body = request.body;
        if (
          context.commandName === 'DeleteObjectsCommand' &&
          request.headers !== undefined &&
          (typeof body === 'string' || body instanceof Uint8Array)
        ) {
          for (const header of Object.keys(request.headers)) {
            const lower = header.toLowerCase();
            if (lower.startsWith('x-amz-checksum-') || lower.startsWith('x-amz-sdk-checksum-')) {
              delete request.headers[header];
            }
          }
          request.headers['content-md5'] = createHash('md5').update(body).digest('base64');
        }
        return next(args);
      },
      // After the checksum middleware (build step), before signing, so the header is signed.
      { step: 'finalizeRequest', priority: 'high', name: 'rhizomeContentMd5ForDeleteObjects' },
    );
  }

  async put(key: string, bytes: Uint8Array, contentType?: string, signal?: AbortSignal): Promise<void> {
    const objectKey = this.objectKey(key);
    await this.call('put', key, signal, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          Body: bytes,
          ContentLength: bytes.byteLength,
          ContentType: contentType ?? 'application/octet-stream',
        }),
        { abortSignal: signal },
      ),
    );
  }

  async get(key: string, signal?: AbortSignal): Promise<Uint8Array> {
    const objectKey = this.objectKey(key);
    return this.call('get', key, signal, async () => {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: objectKey }), {
        abortSignal: signal,
      });
      return response.Body === undefined ? new Uint8Array(0) : await response.Body.transformToByteArray();
    });
  }

  async delete(key: string, signal?: AbortSignal): Promise<void> {
    const objectKey = this.objectKey(key);
    // S3 answers 204 for a missing key, so idempotence comes for free.
    await this.call('delete', key, signal, () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }), {
        abortSignal: signal,
      }),
    );
  }

  async deletePrefix(prefix: string, signal?: AbortSignal): Promise<void> {
    const folder = this.keyPrefix + toFolderPrefix(prefix);
    // Each page is deleted before the next is listed: memory stays bounded however large the
    // prefix, and a failure part-way leaves a smaller prefix that a retry simply continues.
    let continuationToken: string | undefined;
    do {
      const page = await this.call('list', prefix, signal, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: folder,
            MaxKeys: this.deleteBatchSize,
            ContinuationToken: continuationToken,
          }),
          { abortSignal: signal },
        ),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
      for (let start = 0; start < keys.length; start += this.deleteBatchSize) {
        const batch = keys.slice(start, start + this.deleteBatchSize);
        const result = await this.call('delete', prefix, signal, () =>
          this.client.send(
            new DeleteObjectsCommand({
              Bucket: this.bucket,
              Delete: { Objects: batch.map((key) => ({ Key: key })), Quiet: true },
            }),
            { abortSignal: signal },
          ),
        );
        // DeleteObjects answers 200 even when some keys failed; the failures are listed in the body.
        const failures = (result.Errors ?? []).filter((failure) => failure.Code !== 'NoSuchKey');
        if (failures.length > 0) {
          throw new UpstreamError(
            'object_storage_failed',
            `Object storage could not delete ${failures.length} object(s) under '${prefix}': ${failures[0]?.Code ?? 'unknown'} ${failures[0]?.Message ?? ''}`.trim(),
            { details: { operation: 'delete', failed: failures.length } },
          );
        }
      }
      continuationToken = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  /** Closes the client's connection pool; the storage cannot be used afterwards. */
  close(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    assertValidObjectKey(key);
    return this.keyPrefix + key;
  }

  /** Runs one SDK call and turns its failures into Rhizome's errors. */
  private async call<Result>(
    operation: string,
    key: string,
    signal: AbortSignal | undefined,
    run: () => Promise<Result>,
  ): Promise<Result> {
    signal?.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      // The caller gave up: that is not a storage failure, so pass their reason on unchanged.
      if (signal?.aborted) throw signal.reason;
      const failure = asSdkFailure(error);
      if (failure.name === 'NoSuchKey') throw new NotFoundError('object', key);
      const status = failure.$metadata?.httpStatusCode;
      throw new UpstreamError(
        'object_storage_failed',
        `Object storage ${operation} of '${key}' failed: ${failure.name ?? 'Error'}${failure.message ? ` ${failure.message}` : ''}`,
        { cause: error, details: { operation, status, providerCode: failure.name } },
      );
    }
  }
}
