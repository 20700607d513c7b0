import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResponse } from '../core/search.js';
import { silentLogger } from '../../test/support/test-databases.js';
import { RedisSearchCache } from './redis-search-cache.js';
import { InProcessSearchCache, type SearchCache } from './search-cache.js';

const redisServer = '/usr/bin/redis-server';

function response(query: string): SearchResponse {
  return { query, mode: 'mix', hits: [], communities: [], tookMs: 1, cached: false };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitForRedis(cache: SearchCache): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    await cache.set('probe', response('probe'));
    if (await cache.get('probe')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('redis did not come up');
}

// One contract, every adapter.
function describeCacheContract(name: string, create: () => Promise<SearchCache>): void {
  describe(`search cache contract [${name}]`, () => {
    let cache: SearchCache;
    beforeAll(async () => {
      cache = await create();
    });
    afterAll(() => cache.close());

    it('misses unknown keys and returns what was stored', async () => {
      expect(await cache.get('tenant:1:{"query":"a"}')).toBeUndefined();
      await cache.set('tenant:1:{"query":"a"}', response('a'));
      expect(await cache.get('tenant:1:{"query":"a"}')).toEqual(response('a'));
    });

    it('keeps keys of different corpus versions apart', async () => {
      await cache.set('tenant:1:{"query":"b"}', response('old'));
      expect(await cache.get('tenant:2:{"query":"b"}')).toBeUndefined();
    });
  });
}

describeCacheContract('in-process', async () => new InProcessSearchCache(10));

describe.skipIf(!existsSync(redisServer))('redis', () => {
  let server: ChildProcess;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    server = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
  });
  afterAll(() => {
    server.kill('SIGKILL');
  });

  describeCacheContract('redis', async () => {
    const cache = RedisSearchCache.connect(`redis://127.0.0.1:${port}`, silentLogger);
    await waitForRedis(cache);
    return cache;
  });

  it('misses instead of failing while Redis is unreachable', async () => {
    const cache = RedisSearchCache.connect(`redis://127.0.0.1:${await freePort()}`, silentLogger);
    expect(await cache.get('anything')).toBeUndefined();
    await expect(cache.set('anything', response('x'))).resolves.toBeUndefined();
    await cache.close();
  });
});
