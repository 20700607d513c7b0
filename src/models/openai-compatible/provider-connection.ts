/**
 * The connection settings every OpenAI-compatible provider shares, and how they become an
 * HttpEndpoint. Azure OpenAI differs from the rest in three ways, all handled here: the deployment
 * is part of the path, the key goes in an `api-key` header, and every URL carries `api-version`.
 */
import type { Logger } from 'pino';
import { z } from 'zod';

import { ValidationError } from '../../core/errors.js';
import type { HttpEndpoint } from './http-client.js';

export const providerConnectionOptionsSchema = z.object({
  /** Up to and excluding the operation path: `https://api.openai.com/v1`, `http://localhost:11434/v1`,
   * `https://dashscope.aliyuncs.com/compatible-mode/v1`, `https://<resource>.openai.azure.com/openai`. */
  baseUrl: z.url(),
  /** Optional: local servers (vLLM, Ollama) often need none. */
  apiKey: z.string().min(1).optional(),
  /** Per attempt; for streams, per silence between chunks. */
  timeoutMs: z.number().int().positive().default(60_000),
  /** Retries after the first attempt, for 408/409/429/5xx, timeouts and network errors. */
  maxRetries: z.number().int().min(0).max(10).default(3),
  retryBaseDelayMs: z.number().int().min(0).default(500),
  maxRetryDelayMs: z.number().int().min(0).default(30_000),
});

export const azureDeploymentSchema = z.object({
  apiVersion: z.string().min(1),
  deployment: z.string().min(1),
});

export type ProviderConnectionSettings = z.output<typeof providerConnectionOptionsSchema>;
export type AzureDeployment = z.output<typeof azureDeploymentSchema>;

/** Parses constructor options with `schema`, turning zod's issues into a ValidationError. */
export function parseProviderOptions<Schema extends z.ZodType>(
  schema: Schema,
  options: unknown,
  what: string,
): z.output<Schema> {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError(
      `Invalid ${what} options`,
      parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
    );
  }
  return parsed.data;
}

export function createHttpEndpoint(
  settings: ProviderConnectionSettings,
  label: string,
  azure: AzureDeployment | undefined,
  logger: Logger | undefined,
): HttpEndpoint {
  const baseUrl = settings.baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: azure === undefined ? baseUrl : `${baseUrl}/deployments/${encodeURIComponent(azure.deployment)}`,
    apiKey: settings.apiKey,
    authentication: azure === undefined ? 'bearer' : 'api-key',
    query: azure === undefined ? {} : { 'api-version': azure.apiVersion },
    timeoutMs: settings.timeoutMs,
    maxRetries: settings.maxRetries,
    retryBaseDelayMs: settings.retryBaseDelayMs,
    maxRetryDelayMs: settings.maxRetryDelayMs,
    label,
    logger,
  };
}
