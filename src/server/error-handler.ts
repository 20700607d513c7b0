import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCategory, ErrorKind, FieldIssue } from '../core/errors.js';
import { isRhizomeError, ValidationError } from '../core/errors.js';

/**
 * The error body a route speaks. Our own API answers `{ error: { code, … } }`; the compatibility
 * routes answer in the shape their clients parse (OpenAI SDKs read `error.type`/`error.code`, Dify
 * reads `error_code`/`error_msg`), with our stable code alongside.
 */
export type ErrorFormat = 'rhizome' | 'openai' | 'dify';

declare module 'fastify' {
  interface FastifyContextConfig {
    errorFormat?: ErrorFormat;
  }
}

/** The one place where error kinds become HTTP statuses. */
const statusByKind: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  rate_limited: 429,
  internal: 500,
  upstream_failed: 502,
  unavailable: 503,
};

// Fastify's own client errors (bad JSON, wrong content type, body too large…) keep their status;
// they get a stable code of ours so clients never see framework internals.
const codeByFrameworkStatus: Record<number, string> = {
  400: 'invalid_request',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  431: 'headers_too_large',
};

export interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly category: ErrorCategory;
    readonly requestId: string;
    readonly fields?: readonly FieldIssue[];
    readonly details?: Record<string, unknown>;
  };
}

const openAiTypeByStatus: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
};

/** OpenAI's error object: `type` by status, `param` the first offending field, `code` ours. */
function openAiBody(status: number, body: ErrorBody): Record<string, unknown> {
  const firstField = body.error.fields?.[0]?.path;
  return {
    error: {
      message: body.error.message,
      type: openAiTypeByStatus[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: firstField === undefined ? null : firstField.replace(/^(body|query|params|headers)\./, ''),
      code: body.error.code,
      request_id: body.error.requestId,
      ...(body.error.fields ? { fields: body.error.fields } : {}),
    },
  };
}

const bearerFormat = /^Bearer\s+\S+\s*$/i;

/**
 * Dify's External Knowledge API codes: 1001 the Authorization header is not `Bearer <key>`, 1002 the
 * key is not accepted (unknown, revoked, or not allowed here), 2001 the knowledge base does not exist
 * — 1001 and 1002 with HTTP 403, 2001 with 404, as Dify documents them. Other failures keep their
 * status and use it as `error_code`; `code` carries our stable code in every case.
 */
function difyError(
  request: FastifyRequest,
  status: number,
  body: ErrorBody,
): { status: number; body: unknown } {
  const code = body.error.code;
  let difyCode = status;
  let difyStatus = status;
  if (status === 401 || status === 403) {
    const header = request.headers.authorization;
    difyCode = status === 401 && !(header && bearerFormat.test(header)) ? 1001 : 1002;
    difyStatus = 403;
  } else if (code === 'collection_not_found') {
    difyCode = 2001;
  }
  return {
    status: difyStatus,
    body: {
      error_code: difyCode,
      error_msg: body.error.message,
      code,
      request_id: body.error.requestId,
      ...(body.error.fields ? { fields: body.error.fields } : {}),
    },
  };
}

/** Retry-After on 503 (a few seconds) and 429 (when the limiter said how long), in every format. */
function setRetryAfter(reply: FastifyReply, status: number, body: ErrorBody): void {
  if (status === 503) reply.header('retry-after', '5');
  const retryAfter = body.error.details?.retryAfterSeconds;
  if (status === 429 && typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
}

function send(request: FastifyRequest, reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  const format = request.routeOptions.config?.errorFormat ?? 'rhizome';
  if (format === 'dify') {
    const translated = difyError(request, status, body);
    setRetryAfter(reply, translated.status, body);
    return reply.status(translated.status).send(translated.body);
  }
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="rhizome"');
  setRetryAfter(reply, status, body);
  return reply.status(status).send(format === 'openai' ? openAiBody(status, body) : body);
}

/**
 * Errors the router raises before any route is chosen (a malformed percent-escape, a path parameter
 * over the router's length limit): Fastify answers those itself, in its own body shape and past every
 * hook, unless given this as its `frameworkErrors` option. Found by test/fuzz/request-bodies.fuzz.test.ts.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  request.log.info({ code: error.code }, 'request rejected by the router');
  reply.header('x-request-id', request.id);
  return send(request, reply, status, {
    error: {
      code: codeByFrameworkStatus[status] ?? 'invalid_request',
      // Fastify's message quotes the whole path; a client already has it, and it may be huge.
      message: status === 414 ? 'A path parameter is too long' : 'The request path is not a valid URL',
      category: 'user',
      requestId: request.id,
    },
  });
}

export interface ErrorHandlingOptions {
  /** Answers a not-found request with a page instead (the web UI's deep links); undefined to decline. */
  readonly notFoundPage?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined;
}

export function registerErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions = {}): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const requestId = request.id;
    if (isRhizomeError(error)) {
      const status = statusByKind[error.kind];
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: error.code }, 'request rejected');
      return send(request, reply, status, {
        error: {
          code: error.code,
          message: error.message,
          category: error.category,
          requestId,
          ...(error instanceof ValidationError && error.fields.length > 0 ? { fields: error.fields } : {}),
          ...(error.details && status < 500 ? { details: error.details } : {}),
        },
      });
    }
    const frameworkStatus = (error as FastifyError).statusCode;
    if (frameworkStatus !== undefined && frameworkStatus >= 400 && frameworkStatus < 500) {
      request.log.info({ code: (error as FastifyError).code }, 'request rejected by the framework');
      return send(request, reply, frameworkStatus, {
        error: {
          code: codeByFrameworkStatus[frameworkStatus] ?? 'invalid_request',
          message: error.message,
          category: 'user',
          requestId,
        },
      });
    }
    // Unknown failure: log everything, reveal nothing but the request id to look it up by.
    request.log.error({ err: error }, 'unhandled error');
    return send(request, reply, 500, {
      error: {
        code: 'internal_error',
        message: 'Internal server error',
        category: 'system',
        requestId,
      },
    });
  });

  app.setNotFoundHandler((request, reply) =>
    options.notFoundPage?.(request, reply) ??
    send(request, reply, 404, {
      error: {
        code: 'route_not_found',
        message: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
        category: 'user',
        requestId: request.id,
      },
    }),
  );
}
