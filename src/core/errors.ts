/**
 * Typed errors. Every error the service raises on purpose carries a stable `code` (part of the
 * public API: clients and the UI branch on it), a `category` saying whose fault it is, and a
 * `kind` that the HTTP layer maps to a status code in exactly one place
 * (src/server/error-handler.ts). Library code throws these; it never picks HTTP statuses.
 */
export type ErrorCategory = 'user' | 'system' | 'upstream';

export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'unsupported'
  | 'rate_limited'
  | 'unavailable'
  | 'upstream_failed'
  | 'internal';

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `body.role` or `query.limit`. */
  readonly path: string;
  readonly message: string;
}

export interface RhizomeErrorOptions {
  readonly cause?: unknown;
  readonly details?: Record<string, unknown>;
}

export class RhizomeError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly category: ErrorCategory;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    kind: ErrorKind,
    category: ErrorCategory,
    message: string,
    options: RhizomeErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.kind = kind;
    this.category = category;
    this.details = options.details;
  }
}

export class ValidationError extends RhizomeError {
  readonly fields: readonly FieldIssue[];

  constructor(message: string, fields: readonly FieldIssue[] = [], options: RhizomeErrorOptions = {}) {
    super('validation_failed', 'invalid_input', 'user', message, options);
    this.fields = fields;
  }
}

export class AuthenticationError extends RhizomeError {
  constructor(code: 'missing_credentials' | 'invalid_credentials', message: string) {
    super(code, 'unauthenticated', 'user', message);
  }
}

export class PermissionError extends RhizomeError {
  constructor(message: string) {
    super('forbidden', 'forbidden', 'user', message);
  }
}

export class NotFoundError extends RhizomeError {
  constructor(resource: string, identifier?: string) {
    super(
      `${resource}_not_found`,
      'not_found',
      'user',
      identifier === undefined ? `${resource} not found` : `${resource} '${identifier}' not found`,
    );
  }
}

export class ConflictError extends RhizomeError {
  constructor(code: string, message: string, options: RhizomeErrorOptions = {}) {
    super(code, 'conflict', 'user', message, options);
  }
}

export class PayloadTooLargeError extends RhizomeError {
  constructor(message: string, options: RhizomeErrorOptions = {}) {
    super('payload_too_large', 'too_large', 'user', message, options);
  }
}

/** The database cannot be reached or refused service: callers may retry later. */
export class DatabaseUnavailableError extends RhizomeError {
  constructor(message: string, options: RhizomeErrorOptions = {}) {
    super('database_unavailable', 'unavailable', 'system', message, options);
  }
}

/**
 * Every database connection of this process is busy: the database is fine, this instance is
 * saturated. Clients should back off and retry; it is not an outage.
 */
export class OverloadedError extends RhizomeError {
  constructor(message: string, options: RhizomeErrorOptions = {}) {
    super('overloaded', 'unavailable', 'system', message, options);
  }
}

/** Too many requests from one key, tenant or address: retry after the window. */
export class RateLimitedError extends RhizomeError {
  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', 'rate_limited', 'user', message, { details: { retryAfterSeconds } });
  }
}

/** A tenant used up its agent quota for the sliding hour (questions or tokens); retry after the window moves. */
export class QuotaExceededError extends RhizomeError {
  constructor(quota: 'questions' | 'tokens', limit: number, used: number, retryAfterSeconds: number) {
    super(
      'agent_quota_exceeded',
      'rate_limited',
      'user',
      `This tenant's agent quota of ${limit} ${quota} per hour is used up (${used}); retry in ${retryAfterSeconds} s`,
      { details: { quota, limit, used, retryAfterSeconds } },
    );
  }
}

/** A model provider (chat, embedding, rerank) or object store failed. */
export class UpstreamError extends RhizomeError {
  constructor(code: string, message: string, options: RhizomeErrorOptions = {}) {
    super(code, 'upstream_failed', 'upstream', message, options);
  }
}

/** Raised at start-up for a bad setting; names the offending key. */
export class ConfigError extends RhizomeError {
  readonly keys: readonly string[];

  constructor(message: string, keys: readonly string[]) {
    super('invalid_config', 'invalid_input', 'user', message, { details: { keys } });
    this.keys = keys;
  }
}

/** A document that can never be processed as it is: retrying will not help. */
export class DocumentError extends RhizomeError {
  constructor(
    code:
      | 'unsupported_format'
      | 'format_mismatch'
      | 'empty_document'
      | 'corrupt_document'
      | 'needs_ocr'
      | 'archive_too_large'
      | 'document_too_large'
      | 'encrypted_document'
      | 'document_too_complex'
      | 'unsafe_document',
    message: string,
    options: RhizomeErrorOptions = {},
  ) {
    super(code, 'unsupported', 'user', message, options);
  }
}

/**
 * The embedded database folder is open in another process. Only one process may open it: two
 * PGlite instances on one folder overwrite each other's writes and corrupt the write-ahead log.
 */
export class DataFolderInUseError extends RhizomeError {
  constructor(message: string, options: RhizomeErrorOptions = {}) {
    super('data_folder_in_use', 'conflict', 'user', message, options);
  }
}

/** The embedded database folder exists but cannot be opened (damaged, or not a database). */
export class DataFolderUnreadableError extends RhizomeError {
  constructor(message: string, options: RhizomeErrorOptions = {}) {
    super('data_folder_unreadable', 'unavailable', 'system', message, options);
  }
}

export function isRhizomeError(error: unknown): error is RhizomeError {
  return error instanceof RhizomeError;
}
