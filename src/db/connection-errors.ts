import { DatabaseUnavailableError } from '../core/errors.js';

// SQLSTATE classes and codes that mean "the server is not there or not serving", as opposed to
// a problem with the statement: 08 connection exception, 57P01–57P03 shutdown/cannot connect now,
// 53300 too many connections.
const unavailableStates = new Set(['57P01', '57P02', '57P03', '53300']);
const unavailableNodeCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const unavailableMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection terminated unexpectedly',
  'Cannot use a pool after calling end',
];

export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || unavailableStates.has(code) || unavailableNodeCodes.has(code)) return true;
  }
  return unavailableMessages.some((message) => error.message.includes(message));
}

/** Turns connection-level failures into a typed 503; leaves statement errors untouched. */
export function translateConnectionError(error: unknown): unknown {
  if (isConnectionFailure(error)) {
    return new DatabaseUnavailableError('The database is unavailable', { cause: error });
  }
  return error;
}
