import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isRhizomeError, PayloadTooLargeError, ValidationError } from '../../core/errors.js';
import type { DocumentEvents } from '../../core/document-events.js';
import type { DocumentService, IntakeResult } from '../../ingest/document-service.js';
import { intakeOptionsSchema, listDocumentsSchema } from '../../ingest/document-service.js';
import { cleanText, findUnsafeText, isSafeText } from '../../core/text-safety.js';
import { unsafeTextError } from '../unsafe-text-guard.js';
import type { TenantService } from '../../tenancy/tenant-service.js';
import { tenantOf } from '../authentication.js';
import { startEventStream } from '../event-stream.js';
import { parseInput } from '../validation.js';

const documentParameters = z.object({ document: z.uuid() });
const metadataSchema = z.record(z.string(), z.unknown());
const tags = ['documents'];
// Multipart bodies are read part by part in the handler; this JSON Schema only documents them.
const uploadBodyDocumentation = {
  type: 'object',
  required: ['file'],
  properties: {
    file: { type: 'array', items: { type: 'string', format: 'binary' }, description: 'one or more files' },
    collection: { type: 'string', description: 'collection name or id; a new name creates the collection' },
    metadata: { type: 'string', description: 'a JSON object stored with each document' },
    sourceKey: { type: 'string', description: 'single file: re-uploading under the same key replaces it' },
  },
};

interface SpooledFile {
  readonly path: string;
  readonly fileName: string;
  readonly declaredMediaType: string;
}

export interface DocumentRouteOptions {
  readonly maxUploadBytes: number;
  readonly maxFilesPerUpload: number;
}

/**
 * The multipart parser (busboy) rejects a body it cannot read ("Unexpected end of form", "Malformed
 * part header"…) with a plain Error: that is the client's fault, a 400, where anything else (our own
 * errors, a framework error with its status, the spool's file system failing) keeps its meaning.
 * Found by test/fuzz/request-bodies.fuzz.test.ts (a 500 before).
 */
function isMalformedMultipart(error: unknown): boolean {
  if (!(error instanceof Error) || isRhizomeError(error)) return false;
  if ('syscall' in error || 'errno' in error) return false;
  return (error as { statusCode?: unknown }).statusCode === undefined;
}

export async function registerDocumentRoutes(
  app: FastifyInstance,
  documents: DocumentService,
  tenants: TenantService,
  events: DocumentEvents,
  options: DocumentRouteOptions,
): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes, files: options.maxFilesPerUpload, fields: 20, fieldSize: 64 * 1024 },
    throwFileSizeLimit: true,
  });

  /**
   * Upload one or more files (multipart/form-data). Fields: `collection` (name or id), `metadata`
   * (a JSON object), `sourceKey` (single file: re-uploading under the same key replaces it).
   * Answers 202 at once with the document ids; ingestion continues in jobs.
   */
  app.post(
    '/v1/documents',
    {
      schema: {
        summary: 'Upload documents (multipart/form-data); answers 202 with their ids',
        tags,
        consumes: ['multipart/form-data'],
        body: uploadBodyDocumentation,
      },
    },
    async (request, reply) => {
    const tenantId = await tenantOf(request, tenants, 'editor');
    if (!request.isMultipart()) {
      throw new ValidationError('Upload files as multipart/form-data', [
        { path: 'headers.content-type', message: 'must be multipart/form-data' },
      ]);
    }
    // Each file streams to a spool file as it arrives and is taken in one at a time afterwards:
    // memory holds one file, not a whole request of up to maxFilesPerUpload of them.
    const spool = await mkdtemp(join(tmpdir(), 'rhizome-upload-'));
    try {
      const files: SpooledFile[] = [];
      const fields: Record<string, string> = {};
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            if (!part.filename || !part.filename.trim()) {
              part.file.resume();
              throw new ValidationError('Every file part needs a file name', [
                { path: `body.${part.fieldname}.filename`, message: 'required: the file name (Content-Disposition filename)' },
              ]);
            }
            if (!isSafeText(part.filename)) {
              part.file.resume();
              throw unsafeTextError(`body.${part.fieldname}.filename`);
            }
            const path = join(spool, String(files.length));
            await pipeline(part.file, createWriteStream(path));
            // @fastify/multipart ends the stream early at the size limit and flags it.
            if (part.file.truncated) throw Object.assign(new Error('file too large'), { code: 'FST_REQ_FILE_TOO_LARGE' });
            files.push({ path, fileName: part.filename, declaredMediaType: part.mimetype });
          } else if (typeof part.value === 'string') {
            if (!isSafeText(part.value) || !isSafeText(part.fieldname)) throw unsafeTextError(`body.${cleanText(part.fieldname)}`);
            fields[part.fieldname] = part.value;
          }
        }
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'FST_REQ_FILE_TOO_LARGE') {
          throw new PayloadTooLargeError(`A file exceeds the upload limit of ${options.maxUploadBytes} bytes`, {
            details: { limitBytes: options.maxUploadBytes },
          });
        }
        if (code === 'FST_FILES_LIMIT') {
          throw new PayloadTooLargeError(`At most ${options.maxFilesPerUpload} files per upload`);
        }
        if (isMalformedMultipart(error)) {
          throw new ValidationError('The multipart body is malformed', [
            { path: 'body', message: (error as Error).message.slice(0, 200) },
          ]);
        }
        throw error;
      }
      if (files.length === 0) {
        throw new ValidationError('No file in the upload', [{ path: 'body.file', message: 'at least one file part' }]);
      }
      let metadata: Record<string, unknown> = {};
      if (fields.metadata !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(fields.metadata);
        } catch {
          throw new ValidationError('metadata must be JSON', [{ path: 'body.metadata', message: 'not valid JSON' }]);
        }
        // JSON escapes (\u0000, \ud800) decode to text PostgreSQL cannot store.
        const unsafe = findUnsafeText(parsed, 'body.metadata');
        if (unsafe !== undefined) throw unsafeTextError(unsafe);
        metadata = parseInput(metadataSchema, parsed, 'body');
      }
      if (fields.sourceKey !== undefined && files.length > 1) {
        throw new ValidationError('sourceKey applies to a single file', [
          { path: 'body.sourceKey', message: 'send one file per upload when using sourceKey' },
        ]);
      }
      const intakeOptions = parseInput(
        intakeOptionsSchema,
        {
          ...(fields.collection ? { collection: fields.collection } : {}),
          ...(fields.sourceKey ? { sourceKey: fields.sourceKey } : {}),
          metadata,
        },
        'body',
      );
      const results: IntakeResult[] = [];
      for (const file of files) {
        const bytes = await readFile(file.path);
        const [result] = await documents.intake(
          tenantId,
          [{ fileName: file.fileName, bytes, declaredMediaType: file.declaredMediaType }],
          files.length === 1 ? intakeOptions : { ...intakeOptions, sourceKey: undefined },
        );
        results.push(result!);
      }
      return reply.status(202).send({ documents: results });
    } finally {
      await rm(spool, { recursive: true, force: true });
    }
  });

  app.get('/v1/documents', { schema: { summary: 'List documents (paged)', tags, querystring: listDocumentsSchema } }, async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    return documents.list(tenantId, parseInput(listDocumentsSchema, request.query, 'query'));
  });

  // Open event streams end before the server closes, or shutdown would wait on them forever.
  const openStreams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
  });

  /** Server-sent events: every status change of the tenant's documents. */
  app.get(
    '/v1/documents/events',
    {
      schema: {
        summary: "Server-sent events: every status change of the tenant's documents",
        tags,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    startEventStream(request, reply);
    const unsubscribe = events.subscribe(tenantId, (event) => {
      reply.raw.write(`event: document\ndata: ${JSON.stringify(event)}\n\n`);
    });
    // Comments keep proxies from closing an idle stream.
    const heartbeat = setInterval(() => reply.raw.write(': heartbeat\n\n'), 15_000);
    heartbeat.unref();
    const close = () => {
      if (!openStreams.delete(close)) return;
      clearInterval(heartbeat);
      unsubscribe();
      reply.raw.end();
    };
    openStreams.add(close);
    request.raw.on('close', close);
    // Announce the stream only once events reach it (across processes that takes a LISTEN first).
    await events.listening?.();
    if (openStreams.has(close)) reply.raw.write(': connected\n\n');
  });

  app.get('/v1/documents/:document', { schema: { summary: 'A document and its ingestion status', tags, params: documentParameters } }, async (request) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { document } = parseInput(documentParameters, request.params, 'params');
    return documents.get(tenantId, document);
  });

  app.get(
    '/v1/documents/:document/original',
    {
      schema: { summary: 'Download the original file', tags, params: documentParameters, produces: ['application/octet-stream'] },
    },
    async (request, reply) => {
    const tenantId = await tenantOf(request, tenants, 'reader');
    const { document } = parseInput(documentParameters, request.params, 'params');
    const { record, bytes } = await documents.original(tenantId, document);
    return reply
      .header('content-type', servableMediaType(record.mediaType))
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeRfc8187(record.fileName)}`)
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(bytes));
  });

  app.delete(
    '/v1/documents/:document',
    { schema: { summary: 'Delete a document and everything derived from it', tags, params: documentParameters } },
    async (request) => {
    const tenantId = await tenantOf(request, tenants, 'editor');
    const { document } = parseInput(documentParameters, request.params, 'params');
    await documents.delete(tenantId, document);
    return { deleted: true };
  });

  app.post(
    '/v1/documents/:document/reingest',
    { schema: { summary: 'Parse and index a document again', tags, params: documentParameters } },
    async (request, reply) => {
    const tenantId = await tenantOf(request, tenants, 'editor');
    const { document } = parseInput(documentParameters, request.params, 'params');
    return reply.status(202).send(await documents.reingest(tenantId, document));
  });
}

/** RFC 8187 ext-value: encodeURIComponent leaves ' ( ) * unescaped, which strict parsers reject. */
function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

const browserActiveType = /^(text\/html|text\/xml|application\/xml|image\/svg\+xml)$|\+xml$|javascript|ecmascript/;

/**
 * The stored media type, unless a browser would render or run it (HTML, XML with its stylesheets,
 * SVG, scripts): an upload must never run in our origin, so those go out as opaque bytes. Office
 * types merely contain "openxmlformats" and keep their real type.
 */
function servableMediaType(mediaType: string | null): string {
  if (!mediaType) return 'application/octet-stream';
  const essence = mediaType.split(';')[0]!.trim().toLowerCase();
  return browserActiveType.test(essence) ? 'application/octet-stream' : mediaType;
}
