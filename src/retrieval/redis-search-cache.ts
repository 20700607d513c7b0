import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { createClient } from 'redis';
import type { SearchResponse } from '../core/search.js';
import type { SearchCache } from './search-cache.js';

type RedisClient = ReturnType<typeof createClient>;

/**
 * Search cache in Redis, shared by every API replica. Keys hash the request (which carries the
 * tenant's corpus version) and expire after `ttlSeconds`. The cache is an accelerator: when
 * Redis is unreachable, lookups miss and writes are skipped (logged), and search goes on.
 */
export class RedisSearchCache implements SearchCache {
  private warned = false;

  constructor(
    private readonly client: RedisClient,
    private readonly logger: Logger,
    private readonly ttlSeconds = 600,
  ) {}

  /**
   * Starts connecting and returns at once: a Redis that is down at start-up must not keep the
   * service from starting; until it answers, every lookup misses.
   */
  static connect(url: string, logger: Logger, ttlSeconds?: number): RedisSearchCache {
    const client = createClient({
      url,
      socket: { connectTimeout: 2_000, reconnectStrategy: (retries) => Math.min(retries * 200, 5_000) },
      // Fail fast while disconnected instead of queueing commands until the server returns.
      disableOfflineQueue: true,
    });
    client.on('error', (error: unknown) => logger.debug({ err: error }, 'redis connection error'));
    const cache = new RedisSearchCache(client, logger, ttlSeconds);
    client.connect().catch((error: unknown) => cache.warnOnce(error));
    return cache;
  }

  private keyOf(key: string): string {
    return `rhizome:search:${createHash('sha256').update(key).digest('base64url')}`;
  }

  async get(key: string): Promise<SearchResponse | undefined> {
    try {
      const value = await this.client.get(this.keyOf(key));
      return value ? (JSON.parse(value) as SearchResponse) : undefined;
    } catch (error) {
      this.warnOnce(error);
      return undefined;
    }
  }

  async set(key: string, value: SearchResponse): Promise<void> {
    try {
      await this.client.set(this.keyOf(key), JSON.stringify(value), { EX: this.ttlSeconds });
    } catch (error) {
      this.warnOnce(error);
    }
  }

  protected warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn({ err: error }, 'search cache unavailable; searching without it');
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
    else this.client.destroy();
  }
}
