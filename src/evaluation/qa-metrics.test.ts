import { describe, expect, it } from 'vitest';
import { answerTokens, containsAnswer, exactMatch, normalizeAnswer, supportRecall, tokenF1 } from './qa-metrics.js';

describe('QA metrics', () => {
  it('normalise case, width, punctuation, articles and citation markers', () => {
    expect(normalizeAnswer('The  Eiffel-Tower, [2] ＰＡＲＩＳ!')).toBe('eiffel tower paris');
  });

  it('count an answer as correct when it contains a gold answer as whole words (Latin) or as text (Chinese)', () => {
    expect(containsAnswer('Warsaw [1]\n\n“She was born in Warsaw in 1867.” [1]', 'warsaw')).toBe(true);
    expect(containsAnswer('It is not known.', 'no')).toBe(false);
    expect(containsAnswer('No. [1][2]', 'no')).toBe(true);
    expect(containsAnswer('位于中国北部 [1]', '中国')).toBe(true);
    expect(containsAnswer('Paris [1]', 'Warsaw')).toBe(false);
  });

  it('score exact match and token F1 (characters for Chinese)', () => {
    expect(exactMatch('the Warsaw.', 'Warsaw')).toBe(true);
    expect(exactMatch('Warsaw, Poland', 'Warsaw')).toBe(false);
    expect(tokenF1('Warsaw Poland', 'Warsaw')).toBeCloseTo(2 / 3);
    expect(answerTokens('光荣和ω-force')).toEqual(['光', '荣', '和', 'ω', 'force']);
    expect(tokenF1('光荣和ω-force', '光荣')).toBeCloseTo((2 * (2 / 5) * 1) / (2 / 5 + 1));
    expect(tokenF1('', 'x')).toBe(0);
  });

  it('measure support recall over the cited passages', () => {
    expect(supportRecall(['a', 'b', 'c'], ['a', 'd'])).toBe(0.5);
    expect(supportRecall([], ['a'])).toBe(0);
    expect(supportRecall(['a'], [])).toBe(1);
  });
});
