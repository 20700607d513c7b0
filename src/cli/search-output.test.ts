import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SearchResponse } from '../core/search.js';
import { printSearchResponse } from './search-output.js';

function printed(response: SearchResponse): string {
  const writes: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  printSearchResponse(response);
  return writes.join('');
}

const empty: SearchResponse = { query: 'q', mode: 'mix', hits: [], communities: [], tookMs: 3.21, cached: false };

describe('printSearchResponse', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints each notice as a note under the results', () => {
    const output = printed({
      ...empty,
      reranked: false,
      notices: [
        { code: 'rerank_unavailable', message: 'rerank was asked for, but no reranker is configured' },
        { code: 'nothing_matched', message: 'nothing matched: no passage shares a word' },
      ],
    });
    expect(output).toBe(
      '0 results in 3.2 ms (mix).\n' +
        'Note: rerank was asked for, but no reranker is configured\n' +
        'Note: nothing matched: no passage shares a word\n',
    );
  });

  it('prints no note when there is nothing to say (or the server is older and sends none)', () => {
    expect(printed({ ...empty, notices: [] })).toBe('0 results in 3.2 ms (mix).\n');
    expect(printed(empty)).toBe('0 results in 3.2 ms (mix).\n');
  });
});
