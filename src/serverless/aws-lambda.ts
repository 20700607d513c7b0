import awsLambdaFastify, { type LambdaResponse } from '@fastify/aws-lambda';
import type { Context } from 'aws-lambda';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../core/config.js';
import { createLogger } from '../platform/create-logger.js';
import { startTracing } from '../platform/tracing.js';
import { createStatelessServer, type StatelessRole, type StatelessServer } from './stateless-server.js';

/**
 * AWS Lambda entry points for the stateless roles, behind API Gateway (REST or HTTP API, payload
 * 1.0 or 2.0), a Lambda function URL or an ALB. Handler names, with the image's or bundle's `dist/`:
 *
 *   dist/serverless/aws-lambda.apiHandler         the public HTTP API (RHIZOME role api)
 *   dist/serverless/aws-lambda.retrievalHandler   read-only search (/v1/search, Dify /retrieval, /v1/graph)
 *
 * The app is built once per execution environment, on its first invocation (the cold start), and
 * reused while the environment lives. Requests go through Fastify's in-process injection: the same
 * routes, authentication, validation and error mapping as the long-running server.
 */
export type LambdaHandler = (event: unknown, context: Context) => Promise<LambdaResponse>;

export interface LambdaHandlerOptions {
  /** Builds the app (default: from the process environment, over DATABASE_URL). */
  readonly createServer?: () => Promise<StatelessServer>;
}

// Responses that are text go out as text; anything else (stored originals: PDF, Office…) as base64,
// which API Gateway and function URLs decode back to bytes.
const textualType = /^(text\/|application\/(json|problem\+json|javascript|xml|x-ndjson|yaml)\b)|\+json\b/i;

function isBinary(response: LightMyRequestResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');
  return type !== '' && !textualType.test(type);
}

function serverFromEnvironment(role: StatelessRole): () => Promise<StatelessServer> {
  return async () => {
    const config: Config = loadConfig(process.env);
    const logger = createLogger(config);
    // Spans still give every log line a trace id; with OTEL_EXPORTER_OTLP_ENDPOINT they are exported
    // in batches, which a frozen environment may hold back until its next invocation.
    startTracing(config, logger);
    return createStatelessServer(config, logger, role);
  };
}

/** A Lambda handler for one stateless role. */
export function createLambdaHandler(role: StatelessRole, options: LambdaHandlerOptions = {}): LambdaHandler {
  const createServer = options.createServer ?? serverFromEnvironment(role);
  let proxy: Promise<LambdaHandler> | undefined;
  return async (event, context) => {
    proxy ??= createServer().then(
      ({ app }) =>
        awsLambdaFastify(app, {
          enforceBase64: isBinary,
          // The app is already started (routes ready) when wrapped: no request decoration after start.
          decorateRequest: false,
          // The database pool's idle sockets keep the event loop busy: answer without waiting for
          // them (they are reused by the next invocation of this environment).
          callbackWaitsForEmptyEventLoop: false,
        }) as LambdaHandler,
      (error: unknown) => {
        // A failed cold start (database unreachable…) is retried by the next invocation.
        proxy = undefined;
        throw error;
      },
    );
    const handle = await proxy;
    return handle(event, context);
  };
}

export const apiHandler = createLambdaHandler('api');
export const retrievalHandler = createLambdaHandler('retrieval');
