import { ApiError, apiErrorFrom } from './api-error.js';
import type { Session } from './session.js';

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  readonly query?: Record<string, string | number | undefined | null>;
  readonly headers?: Record<string, string>;
}

/** The request headers every call carries: the key and, for admin keys, the tenant acted on. */
export function authorizationHeaders(
  session: Pick<Session, 'key' | 'tenant' | 'role'>,
): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${session.key}` };
  if (session.role === 'admin' && session.tenant) headers['x-rhizome-tenant'] = session.tenant;
  return headers;
}

export function apiUrl(
  session: Pick<Session, 'apiUrl'>,
  path: string,
  query?: RequestOptions['query'],
): string {
  const base = session.apiUrl.replace(/\/+$/, '');
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return `${base}${path}${text ? `?${text}` : ''}`;
}

/** One JSON call to the API; failures throw ApiError with the service's code and request id. */
export async function callApi<T>(session: Session, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...authorizationHeaders(session), ...options.headers };
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) body = options.body;
  else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(session, path, options.query), {
      method: options.method ?? 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', (error as Error).message, null);
  }
  if (!response.ok) throw await apiErrorFrom(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/**
 * Uploads with progress: fetch cannot report upload progress, XMLHttpRequest can.
 * Resolves with the parsed JSON body; rejects with ApiError.
 */
export function uploadWithProgress<T>(
  session: Session,
  path: string,
  form: FormData,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', apiUrl(session, path));
    for (const [name, value] of Object.entries(authorizationHeaders(session)))
      request.setRequestHeader(name, value);
    request.responseType = 'text';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = JSON.parse(request.responseText);
      } catch {
        parsed = null;
      }
      if (request.status >= 200 && request.status < 300) {
        onProgress(1);
        resolve(parsed as T);
        return;
      }
      const error = (parsed as { error?: { code?: string; message?: string; requestId?: string } } | null)
        ?.error;
      reject(
        new ApiError(
          request.status,
          error?.code ?? `http_${request.status}`,
          error?.message ?? `HTTP ${request.status}`,
          error?.requestId ?? request.getResponseHeader('x-request-id'),
        ),
      );
    };
    request.onerror = () =>
      reject(new ApiError(0, 'network_error', 'The upload could not reach the server', null));
    request.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => request.abort(), { once: true });
    request.send(form);
  });
}
