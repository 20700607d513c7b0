import { LRUCache } from 'lru-cache';
import type { SearchResponse } from '../core/search.js';

/**
 * Cache for hot queries. Keys carry the tenant's corpus version, which every index change bumps,
 * so a change makes old entries unreachable in every process at once; they age out of the LRU.
 */
export interface SearchCache {
  get(key: string): Promise<SearchResponse | undefined>;
  set(key: string, value: SearchResponse): Promise<void>;
  close(): Promise<void>;
}

export class InProcessSearchCache implements SearchCache {
  private readonly entries: LRUCache<string, SearchResponse>;

  constructor(maxEntries = 1_000, ttlMs = 10 * 60_000) {
    this.entries = new LRUCache({ max: maxEntries, ttl: ttlMs });
  }

  async get(key: string): Promise<SearchResponse | undefined> {
    return this.entries.get(key);
  }

  async set(key: string, value: SearchResponse): Promise<void> {
    this.entries.set(key, value);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}
