import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ConflictError, NotFoundError, UpstreamError, ValidationError } from '../core/errors.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { LocalObjectStorage } from './local-object-storage.js';
import { S3ObjectStorage, type S3ObjectStorageOptions } from './s3-object-storage.js';

interface StorageUnderTest {
  readonly storage: ObjectStorage;
  /** A fingerprint of the backend that changes whenever the adapter touches it. */
  backendState(): Promise<string>;
  dispose(): Promise<void>;
}

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const textOf = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** The ObjectStorage port's contract: every adapter must pass these. */
function describeObjectStorageContract(name: string, create: () => Promise<StorageUnderTest>): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let subject: StorageUnderTest;
    let storage: ObjectStorage;
    beforeAll(async () => {
      subject = await create();
      storage = subject.storage;
    });
    afterAll(() => subject.dispose());

    it('round-trips binary bytes exactly, including zero bytes and 3 MB', async () => {
      const everyByte = Uint8Array.from({ length: 1024 }, (_, index) => index % 256);
      const large = randomBytes(3 * 1024 * 1024);
      await storage.put('round-trip/every-byte.bin', everyByte, 'application/octet-stream');
      await storage.put('round-trip/empty.bin', new Uint8Array(0));
      await storage.put('round-trip/large.bin', large, 'application/pdf');

      const readBack = await storage.get('round-trip/every-byte.bin');
      expect(readBack).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(readBack).equals(Buffer.from(everyByte))).toBe(true);
      expect((await storage.get('round-trip/empty.bin')).byteLength).toBe(0);
      const largeBack = await storage.get('round-trip/large.bin');
      expect(largeBack.byteLength).toBe(large.byteLength);
      expect(Buffer.from(largeBack).equals(large)).toBe(true);
    });

    it('accepts keys made of every allowed character', async () => {
      const key = 'Tenant_01/a-b.c/.config/UPPER.lower-9_x';
      await storage.put(key, bytesOf('ok'));
      expect(textOf(await storage.get(key))).toBe('ok');
    });

    it('overwrites an object, also with shorter content', async () => {
      await storage.put('overwrite/object.txt', bytesOf('the first, longer version'));
      await storage.put('overwrite/object.txt', bytesOf('second'));
      expect(textOf(await storage.get('overwrite/object.txt'))).toBe('second');
    });

    it('throws NotFoundError for a missing key and for a folder of other keys', async () => {
      await expect(storage.get('missing/never-written')).rejects.toBeInstanceOf(NotFoundError);
      await expect(storage.get('missing/never-written')).rejects.toMatchObject({ code: 'object_not_found' });
      await storage.put('folder-only/child', bytesOf('child'));
      await expect(storage.get('folder-only')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('deletes idempotently', async () => {
      await storage.put('deleting/object', bytesOf('x'));
      await storage.delete('deleting/object');
      await expect(storage.get('deleting/object')).rejects.toBeInstanceOf(NotFoundError);
      await expect(storage.delete('deleting/object')).resolves.toBeUndefined();
      await expect(storage.delete('deleting/never-existed/deep')).resolves.toBeUndefined();
    });

    it('deletePrefix removes its whole subtree and nothing else', async () => {
      const keys = [
        'tenants/t1/a',
        'tenants/t1/deep/er/b',
        'tenants/t10/c',
        'tenants/t2/d',
        'tenantsX/t1/e',
        'other/tenants/t1/f',
      ];
      for (const key of keys) await storage.put(key, bytesOf(key));

      await storage.deletePrefix('tenants/t1');
      await expect(storage.get('tenants/t1/a')).rejects.toBeInstanceOf(NotFoundError);
      await expect(storage.get('tenants/t1/deep/er/b')).rejects.toBeInstanceOf(NotFoundError);
      for (const key of keys.slice(2)) expect(textOf(await storage.get(key))).toBe(key);

      // A trailing slash means the same folder; a prefix with nothing under it is not an error.
      await storage.deletePrefix('tenants/t2/');
      await expect(storage.get('tenants/t2/d')).rejects.toBeInstanceOf(NotFoundError);
      await expect(storage.deletePrefix('tenants/nobody')).resolves.toBeUndefined();
      expect(textOf(await storage.get('tenants/t10/c'))).toBe('tenants/t10/c');
    });

    it('rejects malicious and malformed keys before any I/O', async () => {
      const before = await subject.backendState();
      const badKeys = [
        '../x',
        '/etc/passwd',
        'a//b',
        'a\\b',
        '',
        '.',
        '..',
        'a/../../b',
        'a/./b',
        'a/',
        'C:/x',
        'a b',
      ];
      for (const key of [...badKeys, 'ünïcode', 'nul\0byte', 'x'.repeat(1025)]) {
        await expect(storage.put(key, bytesOf('pwned'))).rejects.toBeInstanceOf(ValidationError);
        await expect(storage.get(key)).rejects.toBeInstanceOf(ValidationError);
        await expect(storage.delete(key)).rejects.toBeInstanceOf(ValidationError);
      }
      for (const prefix of ['', '/', '../', '..', 'a//b', '/etc', 'a\\b']) {
        await expect(storage.deletePrefix(prefix)).rejects.toBeInstanceOf(ValidationError);
      }
      expect(await subject.backendState()).toBe(before);
    });

    it('honours an aborted signal without writing', async () => {
      const controller = new AbortController();
      controller.abort();
      await expect(
        storage.put('aborted/object', bytesOf('x'), undefined, controller.signal),
      ).rejects.toMatchObject({
        name: 'AbortError',
      });
      await expect(storage.get('aborted/object')).rejects.toBeInstanceOf(NotFoundError);
    });
  });
}

async function listTree(directory: string): Promise<string> {
  let entries: string[];
  try {
    entries = await readdir(directory, { recursive: true });
  } catch {
    return '(absent)';
  }
  const described = await Promise.all(
    entries.sort().map(async (entry) => `${entry}:${(await stat(path.join(directory, entry))).size}`),
  );
  return described.join('\n');
}

async function createLocalStorage(): Promise<StorageUnderTest & { readonly testDirectory: string }> {
  const testDirectory = await mkdtemp(path.join(tmpdir(), 'rhizome-local-storage-'));
  // The root is one level down, so a key that escaped it would show up in the fingerprint.
  const storage = new LocalObjectStorage(path.join(testDirectory, 'root'));
  return {
    storage,
    testDirectory,
    backendState: () => listTree(testDirectory),
    dispose: () => rm(testDirectory, { recursive: true, force: true }),
  };
}

interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly contentMd5: string | null;
}

interface RunningS3rver {
  readonly endpoint: string;
  readonly directory: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const bucket = 'rhizome-test';
const dummyCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * s3rver runs in a child process because it encrypts ListObjectsV2 continuation tokens with DES,
 * which Node's OpenSSL 3 only offers with the legacy provider: without it, every truncated listing
 * (the paging that deletePrefix relies on) fails with an internal error. The child reports its port
 * and then one JSON line per request; Linux writes to a pipe synchronously, so a request's line is
 * out before its response.
 */
async function startS3rver(): Promise<RunningS3rver> {
  const directory = await mkdtemp(path.join(tmpdir(), 'rhizome-s3rver-'));
  const script = `
    const S3rver = require(${JSON.stringify(createRequire(import.meta.url).resolve('s3rver'))});
    const server = new S3rver({
      address: '127.0.0.1', port: 0, silent: true, directory: ${JSON.stringify(directory)},
      configureBuckets: [{ name: ${JSON.stringify(bucket)} }],
    });
    server.run().then((address) => {
      server.httpServer.on('request', (request) => process.stdout.write(JSON.stringify({
        method: request.method, url: request.url, contentMd5: request.headers['content-md5'] ?? null,
      }) + '\\n'));
      process.stdout.write(JSON.stringify({ port: address.port }) + '\\n');
    });`;
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const requests: RecordedRequest[] = [];
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${String(code)}`)));
    lines.on('line', (line) => {
      const message = JSON.parse(line) as { port?: number } & RecordedRequest;
      if (message.port === undefined) requests.push(message);
      else resolve(message.port);
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    directory,
    requests,
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill();
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function s3Options(endpoint: string, extra: Partial<S3ObjectStorageOptions> = {}): S3ObjectStorageOptions {
  return { bucket, region: 'us-east-1', endpoint, forcePathStyle: true, ...dummyCredentials, ...extra };
}

describeObjectStorageContract('local folder', createLocalStorage);

describeObjectStorageContract('S3 (s3rver)', async () => {
  const server = await startS3rver();
  const storage = new S3ObjectStorage(s3Options(server.endpoint));
  return {
    storage,
    backendState: async () => `${server.requests.length} requests\n${await listTree(server.directory)}`,
    dispose: async () => {
      storage.close();
      await server.close();
    },
  };
});

describe('LocalObjectStorage specifics', () => {
  let subject: Awaited<ReturnType<typeof createLocalStorage>>;
  beforeAll(async () => {
    subject = await createLocalStorage();
  });
  afterAll(() => subject.dispose());

  it('leaves no temporary files behind', async () => {
    await subject.storage.put('atomic/a.txt', bytesOf('a'));
    await subject.storage.put('atomic/a.txt', bytesOf('b'));
    expect(await readdir(path.join(subject.testDirectory, 'root', 'atomic'))).toEqual(['a.txt']);
  });

  it('refuses a key that would need an object to also be a folder', async () => {
    await subject.storage.put('shape/file', bytesOf('x'));
    await expect(subject.storage.put('shape/file/child', bytesOf('y'))).rejects.toBeInstanceOf(ConflictError);
    await expect(subject.storage.put('shape', bytesOf('z'))).rejects.toBeInstanceOf(ConflictError);
    expect(textOf(await subject.storage.get('shape/file'))).toBe('x');
  });
});

describe('S3ObjectStorage specifics', () => {
  let server: RunningS3rver;
  beforeAll(async () => {
    server = await startS3rver();
  });
  afterAll(() => server.close());

  it('pages through large prefixes in batches', async () => {
    const storage = new S3ObjectStorage(s3Options(server.endpoint, { deleteBatchSize: 3 }));
    for (let index = 0; index < 10; index += 1) {
      await storage.put(`paged/object-${index}`, bytesOf(String(index)));
    }
    await storage.put('paged-not/kept', bytesOf('kept'));
    const requestsBefore = server.requests.length;

    await storage.deletePrefix('paged');

    const batchDeletes = server.requests
      .slice(requestsBefore)
      .filter((request) => request.method === 'POST' && request.url.includes('delete'));
    expect(batchDeletes).toHaveLength(4);
    // The MD5 header that Alibaba OSS and older MinIO demand for DeleteObjects.
    expect(batchDeletes[0]?.contentMd5).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    for (let index = 0; index < 10; index += 1) {
      await expect(storage.get(`paged/object-${index}`)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(textOf(await storage.get('paged-not/kept'))).toBe('kept');
    storage.close();
  });

  it('keeps its objects under keyPrefix', async () => {
    const prefixed = new S3ObjectStorage(s3Options(server.endpoint, { keyPrefix: 'rhizome/' }));
    const plain = new S3ObjectStorage(s3Options(server.endpoint));
    await prefixed.put('tenant/file', bytesOf('inside'));
    expect(textOf(await plain.get('rhizome/tenant/file'))).toBe('inside');
    await prefixed.deletePrefix('tenant');
    await expect(plain.get('rhizome/tenant/file')).rejects.toBeInstanceOf(NotFoundError);
    prefixed.close();
    plain.close();
  });

  it('reports other failures as UpstreamError without leaking the secret', async () => {
    const missingBucket = new S3ObjectStorage(
      s3Options(server.endpoint, { bucket: 'no-such-bucket', maxAttempts: 1 }),
    );
    await expect(missingBucket.get('any/key')).rejects.toMatchObject({
      code: 'object_storage_failed',
      details: { operation: 'get', status: 404, providerCode: 'NoSuchBucket' },
    });
    missingBucket.close();

    // s3rver checks the access key id but not SigV4 signatures.
    const secretAccessKey = 'secret-do-not-print';
    const wrongSecret = new S3ObjectStorage(
      s3Options(server.endpoint, { accessKeyId: 'UNKNOWN', secretAccessKey, maxAttempts: 1 }),
    );
    const failure: unknown = await wrongSecret.put('any/key', bytesOf('x')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect((failure as UpstreamError).message).not.toContain(secretAccessKey);
    expect(JSON.stringify((failure as UpstreamError).details)).not.toContain(secretAccessKey);
    wrongSecret.close();
  });

  it('rejects half-given credentials', () => {
    expect(
      () =>
        new S3ObjectStorage({
          bucket,
          region: 'us-east-1',
          endpoint: server.endpoint,
          accessKeyId: 'only-id',
        }),
    ).toThrow(ValidationError);
  });
});
