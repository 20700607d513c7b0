import type { Logger } from 'pino';
import type { Config } from '../core/config.js';
import type { Database } from '../core/database.js';
import type { DocumentEvents } from '../core/document-events.js';
import { ConfigError } from '../core/errors.js';
import type { KnowledgeExtractor } from '../core/knowledge-extractor.js';
import type { ChatModel, Embedder } from '../core/models.js';
import type { ObjectStorage } from '../core/object-storage.js';
import { CollectionService } from '../collections/collection-service.js';
import { migrate } from '../db/migrate.js';
import { openDatabase } from '../db/open-database.js';
import { DocumentPipeline } from '../ingest/document-pipeline.js';
import { DocumentService } from '../ingest/document-service.js';
import { InProcessDocumentEvents } from '../ingest/events/in-process-document-events.js';
import { PostgresDocumentEvents } from '../ingest/events/postgres-document-events.js';
import { reconcileEmbeddingModel } from '../ingest/reconcile-embedding-model.js';
import { ParserPool } from '../ingest/parsers/parser-pool.js';
import { IngestionQueue } from '../jobs/ingestion-queue.js';
import { IngestionWorker } from '../jobs/ingestion-worker.js';
import { ApiKeyService } from '../tenancy/api-key-service.js';
import { TenantService } from '../tenancy/tenant-service.js';
import { RedisSearchCache } from '../retrieval/redis-search-cache.js';
import { InProcessSearchCache, type SearchCache } from '../retrieval/search-cache.js';
import { SearchService } from '../retrieval/search-service.js';
import { createChatModel, createEmbedder, createExtractor, createReranker } from './create-models.js';
import { createAgent } from './create-agent.js';
import type { LangGraphAgentService } from '../agent/langgraph-agent-service.js';
import type { AgentTools } from '../agent/tools/agent-tools.js';
import type { AgentSettingsStore } from '../agent/agent-settings.js';
import type { ThreadStore } from '../agent/memory/thread-store.js';
import { createStorage } from './create-storage.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly database: Database;
  readonly storage: ObjectStorage;
  readonly embedder: Embedder;
  readonly chatModel: ChatModel | null;
  readonly extractor: KnowledgeExtractor;
  readonly events: DocumentEvents;
  readonly queue: IngestionQueue;
  readonly tenants: TenantService;
  readonly keys: ApiKeyService;
  readonly collections: CollectionService;
  readonly documents: DocumentService;
  readonly pipeline: DocumentPipeline;
  readonly search: SearchService;
  /** The agent port (`AgentService`) with thread and settings stores; roles `all`, `api` and `agent`. */
  readonly agent: LangGraphAgentService;
  readonly agentThreads: ThreadStore;
  readonly agentSettings: AgentSettingsStore;
  /** The agent's read-only tools (search, graph neighbours, chunks, documents, entities). */
  readonly agentTools: AgentTools;
  /** Starts consuming ingestion jobs in this process (roles `worker` and `all`). */
  startWorker(): Promise<IngestionWorker>;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Apply pending migrations first (default: the config's RHIZOME_MIGRATE_ON_START). */
  readonly migrate?: boolean;
  /** Use this database instead of opening one; the runtime then does not close it. */
  readonly database?: Database;
  /** Replace the configured storage (tests). */
  readonly storage?: ObjectStorage;
  /** What this process does, recorded with the embedded database's folder lock. */
  readonly command?: string;
}

async function checkEmbeddingSettings(database: Database, config: Config): Promise<void> {
  const result = await database.query<{ value: { model: string; dimensions: number } }>(
    "SELECT value FROM rhizome_settings WHERE key = 'embedding'",
  );
  const stored = result.rows[0]?.value;
  if (stored && stored.dimensions !== config.embedding.dimensions) {
    throw new ConfigError(
      `EMBEDDING_DIMENSIONS is ${config.embedding.dimensions} but this database stores ${stored.dimensions}-dimensional ` +
        'vectors; use the original dimension, or a new database for the new model',
      ['EMBEDDING_DIMENSIONS'],
    );
  }
}

/**
 * Wiring in one place: opens (or adopts) the database, migrates, and builds the services every
 * role shares. Whoever opened a resource closes it: `close()` closes only what it opened.
 */
export async function createRuntime(config: Config, logger: Logger, options: RuntimeOptions = {}): Promise<Runtime> {
  const ownsDatabase = options.database === undefined;
  const database = options.database ?? (await openDatabase(config, logger, options.command ? { command: options.command } : {}));
  try {
    if (options.migrate ?? config.migrateOnStart) {
      const report = await migrate(
        database,
        { embeddingDimensions: config.embedding.dimensions, embeddingModel: config.embedding.model },
        logger,
      );
      if (report.applied.length > 0) logger.info({ applied: report.applied }, 'database migrated');
      await checkEmbeddingSettings(database, config);
    }
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }

  const storage = options.storage ?? createStorage(config);
  const embedder = createEmbedder(config, logger);
  const chatModel = createChatModel(config, logger);
  const extractor = createExtractor(config, chatModel, logger);
  const events: DocumentEvents =
    config.database.driver === 'postgres'
      ? new PostgresDocumentEvents(database, config.database.url, logger)
      : new InProcessDocumentEvents();
  const queue = new IngestionQueue(
    database,
    {
      retryLimit: config.ingestion.jobRetries,
      retryDelaySeconds: config.ingestion.jobRetryDelaySeconds,
      heartbeatSeconds: config.ingestion.jobHeartbeatSeconds,
      jobTimeoutSeconds: config.ingestion.jobTimeoutSeconds,
      pollingIntervalSeconds: config.ingestion.workerPollingSeconds,
      superviseIntervalSeconds: config.ingestion.jobMaintenanceSeconds,
      communityDebounceSeconds: config.ingestion.communityDebounceSeconds,
    },
    logger,
  );
  const collections = new CollectionService(database);
  const documents = new DocumentService({ database, storage, queue, events, collections, logger });
  const parser = new ParserPool({
    threads: config.ingestion.workerConcurrency,
    timeoutMs: config.ingestion.parseTimeoutSeconds * 1000,
    memoryMb: config.ingestion.parseMemoryMb,
    onThreadError: (error) => logger.error({ err: error }, 'a parser thread failed'),
  });
  const pipeline = new DocumentPipeline({
    parser,
    database,
    storage,
    embedder,
    extractor,
    chatModel,
    events,
    logger,
    parserLimits: {
      maxUncompressedBytes: config.ingestion.maxUncompressedBytes,
      maxCharacters: config.ingestion.maxDocumentCharacters,
    },
    chunkOptions: { maxTokens: config.ingestion.chunkTokens, overlapTokens: config.ingestion.chunkOverlapTokens },
  });
  if (options.migrate ?? config.migrateOnStart) {
    await reconcileEmbeddingModel(database, embedder, queue, logger);
  }
  let worker: IngestionWorker | undefined;
  const searchCache: SearchCache | null = config.redisUrl
    ? RedisSearchCache.connect(config.redisUrl, logger)
    : config.searchCacheEntries > 0
      ? new InProcessSearchCache(config.searchCacheEntries)
      : null;

  const search = new SearchService({
    database,
    embedder,
    reranker: createReranker(config, logger),
    cache: searchCache,
    logger,
    statementTimeoutMs: config.statementTimeoutMs,
  });
  const { agent, tools: agentTools } = createAgent(config, database, search, logger);

  return {
    config,
    logger,
    database,
    storage,
    embedder,
    chatModel,
    extractor,
    events,
    queue,
    tenants: new TenantService(database, storage),
    keys: new ApiKeyService(database, { verifiedKeySeconds: config.apiKeyCacheSeconds }),
    collections,
    documents,
    pipeline,
    search,
    agent,
    agentThreads: agent.threads,
    agentSettings: agent.settings,
    agentTools,
    async startWorker() {
      worker ??= new IngestionWorker(
        database,
        queue,
        pipeline,
        embedder,
        {
          concurrency: config.ingestion.workerConcurrency,
          batchSize: config.ingestion.workerBatchSize,
          strandedAfterSeconds: 300,
          sweepIntervalMs: 60_000,
          communityMaxDelaySeconds: 600,
        },
        logger,
      );
      await worker.start();
      return worker;
    },
    async close() {
      if (worker) await worker.stop(config.server.shutdownTimeoutMs);
      else await queue.stop();
      await events.close();
      await parser.close();
      await searchCache?.close();
      if (ownsDatabase) await database.close();
    },
  };
}
