import { describe, expect, it } from 'vitest';

import { countTokens } from './count-tokens.js';

describe('countTokens', () => {
  it('counts about one token per common English word plus punctuation', () => {
    expect(countTokens('The graph links entities.')).toBe(5);
  });

  it('charges long words and blobs by length, like word pieces', () => {
    expect(countTokens('internationalization')).toBe(4);
    expect(countTokens('a'.repeat(200))).toBe(49);
  });

  it('counts one token per Han character and per group of three digits', () => {
    expect(countTokens('知识图谱')).toBe(4);
    expect(countTokens('1234567')).toBe(3);
  });

  it('is additive over whitespace-separated pieces', () => {
    const left = 'Apache AGE adds graphs to PostgreSQL.';
    const right = '它支持 Cypher 查询。';
    expect(countTokens(`${left} ${right}`)).toBe(countTokens(left) + countTokens(right));
  });

  it('counts nothing for whitespace', () => {
    expect(countTokens(' \n\t ')).toBe(0);
  });
});
