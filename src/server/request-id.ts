import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

// An incoming X-Request-Id is kept (so a trace spans the proxy and us) only when it is short and
// plain; anything else could forge log lines or bloat them.
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(request: IncomingMessage): string {
  const header = request.headers['x-request-id'];
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate && acceptable.test(candidate) ? candidate : randomUUID();
}
