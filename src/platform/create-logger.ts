import { trace } from '@opentelemetry/api';
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
      // Every line logged inside a traced request or job names its trace, to jump from a log line
      // to the trace in Jaeger (and back).
      mixin() {
        const span = trace.getActiveSpan();
        if (!span) return {};
        const { traceId, spanId, traceFlags } = span.spanContext();
        return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
      },
    },
    destination,
  );
}
