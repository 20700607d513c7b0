import { describe, expect, it } from 'vitest';

import { normalizeEntityName } from './normalize-entity-name.js';

describe('normalizeEntityName', () => {
  it('merges case, articles, possessives, width and spacing variants', () => {
    for (const variant of [
      'The Beatles',
      "Beatles'",
      'the  beatles',
      'Beatles’s',
      'ＢＥＡＴＬＥＳ',
      '“Beatles”',
    ]) {
      expect(normalizeEntityName(variant)).toBe('beatles');
    }
    expect(normalizeEntityName('《红楼梦》')).toBe('红楼梦');
    expect(normalizeEntityName("Obama's")).toBe('obama');
  });

  it('keeps "the" inside a name', () => {
    expect(normalizeEntityName('The Lord of the Rings')).toBe('lord of the rings');
  });
});
