/** An API failure as the service reports it: a stable code, a message, and the request id to quote. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | null,
    readonly fields: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; requestId?: unknown; fields?: unknown };
}

/** Builds the error from a failed response's JSON body (or its status when the body is not ours). */
export async function apiErrorFrom(response: Response): Promise<ApiError> {
  const headerId = response.headers.get('x-request-id');
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's error page): keep the status.
  }
  const error = body.error ?? {};
  return new ApiError(
    response.status,
    typeof error.code === 'string' ? error.code : `http_${response.status}`,
    typeof error.message === 'string' ? error.message : response.statusText || `HTTP ${response.status}`,
    typeof error.requestId === 'string' ? error.requestId : headerId,
    Array.isArray(error.fields) ? (error.fields as { path: string; message: string }[]) : [],
  );
}
