import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCategory, ErrorKind, FieldIssue } from '../core/errors.js';
import { isRhizomeError, ValidationError } from '../core/errors.js';

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

function send(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="rhizome"');
  if (status === 503) reply.header('retry-after', '5');
  return reply.status(status).send(body);
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const requestId = request.id;
    if (isRhizomeError(error)) {
      const status = statusByKind[error.kind];
      if (status >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: error.code }, 'request rejected');
      return send(reply, status, {
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
      return send(reply, frameworkStatus, {
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
    return send(reply, 500, {
      error: {
        code: 'internal_error',
        message: 'Internal server error',
        category: 'system',
        requestId,
      },
    });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, 404, {
      error: {
        code: 'route_not_found',
        message: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
        category: 'user',
        requestId: request.id,
      },
    }),
  );
}
