/**
 * The HTTP transport shared by the OpenAI-compatible providers: JSON POSTs with a time limit per
 * attempt, retries of transient failures with exponential backoff and jitter, and every failure
 * turned into an UpstreamError whose code says what went wrong and whose details carry the
 * provider's HTTP status. The API key goes into a header only: it is never part of a URL, a log
 * line or an error message, and it is scrubbed from any error text the provider echoes back.
 */
import type { Logger } from 'pino';
import { z } from 'zod';

import { RhizomeError, UpstreamError } from '../../core/errors.js';
import { AttemptDeadline } from './attempt-deadline.js';

export interface HttpEndpoint {
  /** Everything before the operation path, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  /** `bearer`: `Authorization: Bearer <key>` (OpenAI and most servers); `api-key`: Azure's `api-key` header. */
  readonly authentication: 'bearer' | 'api-key';
  /** Added to every URL, e.g. Azure's `api-version`. */
  readonly query: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  /** Cap of one backoff; a provider asking (Retry-After) to wait longer than this fails at once instead. */
  readonly maxRetryDelayMs: number;
  /** Names the provider in messages, e.g. `embedding provider (model text-embedding-3-small)`. */
  readonly label: string;
  readonly logger: Logger | undefined;
}

/** Statuses that say "try again": timeout, conflict, rate limit and server-side failures. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function codeForStatus(status: number): string {
  if (status === 429) return 'provider_rate_limited';
  if (status === 401 || status === 403) return 'provider_authentication_failed';
  if (isRetryableStatus(status)) return 'provider_unavailable';
  return 'provider_rejected_request';
}

const errorBodySchema = z.object({
  error: z.union([z.string(), z.object({ message: z.string() })]).optional(),
  message: z.string().optional(),
  detail: z.unknown().optional(),
});

/** The provider's own explanation, from the usual error shapes or else the raw text, kept short. */
function providerMessage(text: string, apiKey: string | undefined): string {
  let message = text;
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    if (parsed.success) {
      const { error, detail } = parsed.data;
      const found =
        (typeof error === 'string' ? error : error?.message) ??
        parsed.data.message ??
        (detail === undefined ? undefined : typeof detail === 'string' ? detail : JSON.stringify(detail));
      if (found !== undefined) message = found;
    }
  } catch {
    // Not JSON (an HTML page from a proxy, say): the raw text is the best explanation there is.
  }
  if (apiKey !== undefined) message = message.split(apiKey).join('[redacted]');
  message = message.replace(/\s+/g, ' ').trim();
  return message.length > 500 ? `${message.slice(0, 500)}…` : message;
}

/** Milliseconds the provider asked us to wait, from `retry-after-ms` (OpenAI) or `Retry-After`. */
function requestedDelay(headers: Headers): number | undefined {
  const milliseconds = Number(headers.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkErrorCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    return cause.code;
  }
  return undefined;
}

function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function buildUrl(endpoint: HttpEndpoint, path: string): URL {
  const url = new URL(endpoint.baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  for (const [name, value] of Object.entries(endpoint.query)) url.searchParams.set(name, value);
  return url;
}

function buildHeaders(endpoint: HttpEndpoint, accept: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept };
  if (endpoint.apiKey !== undefined) {
    if (endpoint.authentication === 'api-key') headers['api-key'] = endpoint.apiKey;
    else headers.authorization = `Bearer ${endpoint.apiKey}`;
  }
  return headers;
}

/** Why an attempt failed, if trying again may help. */
interface TransientFailure {
  readonly error: UpstreamError;
  readonly requestedDelayMs: number | undefined;
}

/**
 * Sends `body` until an attempt gets a 2xx answer, then hands the response to `consume`, which
 * owns the attempt's deadline from then on. Failures inside `consume` count as the attempt's: a
 * timeout or broken connection while reading the body is retried, a RhizomeError is final.
 */
async function send<Result>(
  endpoint: HttpEndpoint,
  path: string,
  body: unknown,
  accept: string,
  callerSignal: AbortSignal | undefined,
  consume: (response: Response, deadline: AttemptDeadline) => Promise<Result>,
): Promise<Result> {
  const url = buildUrl(endpoint, path);
  const init = { method: 'POST', headers: buildHeaders(endpoint, accept), body: JSON.stringify(body) };
  for (let attempt = 1; ; attempt += 1) {
    callerSignal?.throwIfAborted();
    const deadline = new AttemptDeadline(endpoint.timeoutMs);
    const signal =
      callerSignal === undefined ? deadline.signal : AbortSignal.any([callerSignal, deadline.signal]);
    let failure: TransientFailure;
    try {
      const response = await fetch(url, { ...init, signal });
      if (response.ok) return await consume(response, deadline);
      const text = await response.text().catch(() => '');
      deadline.clear();
      const message = providerMessage(text, endpoint.apiKey);
      const error = new UpstreamError(
        codeForStatus(response.status),
        `${endpoint.label} answered HTTP ${response.status}${message ? `: ${message}` : ''}`,
        { details: { status: response.status, attempts: attempt, providerMessage: message } },
      );
      if (!isRetryableStatus(response.status)) throw error;
      failure = { error, requestedDelayMs: requestedDelay(response.headers) };
    } catch (error) {
      deadline.clear();
      // The caller gave up: stop now, with their reason, and never retry.
      if (callerSignal?.aborted) throw callerSignal.reason;
      if (error instanceof RhizomeError) throw error;
      if (deadline.expired) {
        failure = {
          error: new UpstreamError(
            'provider_timeout',
            `${endpoint.label} did not answer within ${endpoint.timeoutMs} ms (attempt ${attempt})`,
            { details: { timeoutMs: endpoint.timeoutMs, attempts: attempt } },
          ),
          requestedDelayMs: undefined,
        };
      } else {
        const code = networkErrorCode(error);
        failure = {
          error: new UpstreamError(
            'provider_unreachable',
            `${endpoint.label} could not be reached${code === undefined ? '' : ` (${code})`}`,
            { cause: error, details: { networkError: code, attempts: attempt } },
          ),
          requestedDelayMs: undefined,
        };
      }
    }
    if (attempt > endpoint.maxRetries) throw failure.error;
    const backoff = Math.min(endpoint.maxRetryDelayMs, endpoint.retryBaseDelayMs * 2 ** (attempt - 1));
    // Jitter spreads the retries of parallel requests so they do not hit the provider in lockstep.
    let delayMs = Math.round(backoff * (0.5 + Math.random() / 2));
    if (failure.requestedDelayMs !== undefined) {
      // Waiting less than asked would only earn another refusal; waiting much longer holds a job hostage.
      if (failure.requestedDelayMs > endpoint.maxRetryDelayMs) throw failure.error;
      delayMs = failure.requestedDelayMs;
    }
    endpoint.logger?.warn(
      {
        provider: endpoint.label,
        code: failure.error.code,
        details: failure.error.details,
        attempt,
        delayMs,
      },
      'Model provider request failed; retrying',
    );
    await sleep(delayMs, callerSignal);
  }
}

/** POSTs JSON and returns the parsed JSON answer, unvalidated: callers check it with zod. */
export async function postJson(
  endpoint: HttpEndpoint,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  return send(endpoint, path, body, 'application/json', signal, async (response, deadline) => {
    const text = await response.text();
    deadline.clear();
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UpstreamError(
        'provider_malformed_response',
        `${endpoint.label} answered with invalid JSON: ${JSON.stringify(text.slice(0, 200))}`,
        { cause: error, details: { status: response.status } },
      );
    }
  });
}

/**
 * POSTs JSON and yields the raw bytes of a streamed answer (server-sent events). Transient failures
 * before the answer starts are retried; once bytes have been yielded a failure is final, because
 * a retry would repeat text the caller already has. The time limit applies to each silence between
 * chunks, and it is paused while the caller handles a chunk.
 */
export async function* postForStream(
  endpoint: HttpEndpoint,
  path: string,
  body: unknown,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  const { reader, deadline } = await send(
    endpoint,
    path,
    body,
    'text/event-stream',
    signal,
    (response, deadline) => {
      if (response.body === null) {
        throw new UpstreamError('provider_malformed_response', `${endpoint.label} answered without a body`);
      }
      return Promise.resolve({ reader: response.body.getReader(), deadline });
    },
  );
  let finished = false;
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        if (deadline.expired) {
          throw new UpstreamError(
            'provider_timeout',
            `${endpoint.label} went silent for ${endpoint.timeoutMs} ms while streaming`,
            { cause: error, details: { timeoutMs: endpoint.timeoutMs } },
          );
        }
        throw new UpstreamError(
          'provider_stream_interrupted',
          `${endpoint.label} broke off its streamed answer`,
          {
            cause: error,
          },
        );
      }
      if (chunk.done) {
        finished = true;
        return;
      }
      deadline.clear();
      yield chunk.value;
      deadline.restart();
    }
  } finally {
    deadline.clear();
    // The caller stopped early (or a chunk failed to parse): close the connection instead of draining it.
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
