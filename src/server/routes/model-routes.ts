import type { FastifyInstance } from 'fastify';
import type { Config } from '../../core/config.js';
import type { ChatModel, Embedder } from '../../core/models.js';
import { requireRole } from '../authentication.js';

interface ProviderCheck {
  readonly ok: boolean;
  readonly tookMs: number;
  readonly error?: string;
}

/** The host of a provider URL, never its path or credentials (some providers put keys in URLs). */
function hostOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

async function timed(work: () => Promise<unknown>): Promise<ProviderCheck> {
  const started = performance.now();
  try {
    await work();
    return { ok: true, tookMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      tookMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

/**
 * (Under /v1/admin: /v1/models is the OpenAI-compatible model list.)
 * Model providers as configured (platform admins only; secrets are never returned), and a live
 * check that calls each one once. Settings change through the environment, not this API.
 */
export function registerModelRoutes(
  app: FastifyInstance,
  config: Config,
  models: { embedder?: Embedder; chatModel?: ChatModel | null },
): void {
  app.get('/v1/admin/models', async (request) => {
    requireRole(request, 'admin');
    return {
      embedding: {
        provider: config.embedding.provider,
        model: config.embedding.model,
        dimensions: config.embedding.dimensions,
        host: hostOf(config.embedding.baseUrl),
      },
      chat:
        config.chat.provider === 'none'
          ? { provider: 'none' }
          : { provider: config.chat.provider, model: config.chat.model, host: hostOf(config.chat.baseUrl) },
      rerank:
        config.rerank.provider === 'none'
          ? { provider: 'none' }
          : {
              provider: config.rerank.provider,
              model: config.rerank.model,
              host: hostOf(config.rerank.baseUrl),
            },
      extraction: config.ingestion.extraction,
    };
  });

  app.post('/v1/admin/models/check', async (request) => {
    requireRole(request, 'admin');
    const { embedder, chatModel } = models;
    return {
      embedding: embedder ? await timed(() => embedder.embed(['health check'])) : null,
      chat: chatModel
        ? await timed(() =>
            chatModel.complete({ messages: [{ role: 'user', content: 'Reply with OK.' }], maxTokens: 2 }),
          )
        : null,
    };
  });
}
