import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from '../core/config.js';

// Secrets never reach the logs, whatever object they travel in.
const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.apiKey',
  '*.key',
  '*.secret',
  '*.password',
  '*.connectionString',
];

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'rhizome' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
