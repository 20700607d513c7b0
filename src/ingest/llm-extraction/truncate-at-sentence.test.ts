import { describe, expect, it } from 'vitest';

import { truncateAtSentence } from './truncate-at-sentence.js';

describe('truncateAtSentence', () => {
  it('returns text within the limit unchanged', () => {
    expect(truncateAtSentence('Short.', 10)).toBe('Short.');
  });

  it('cuts at the last sentence end that fits, ignoring decimal points', () => {
    expect(truncateAtSentence('Version 3.5 shipped. It was fast. Then it was not.', 40)).toBe(
      'Version 3.5 shipped. It was fast.',
    );
  });

  it('falls back to a space, then to the limit itself', () => {
    expect(truncateAtSentence('one two three four five six', 12)).toBe('one two');
    expect(truncateAtSentence('abcdefghijklmnopqrstuvwxyz', 10)).toBe('abcdefghij');
    expect(truncateAtSentence('北京是中国的首都和文化中心', 6)).toBe('北京是中国的');
  });

  it('never splits a surrogate pair', () => {
    const text = `${'a'.repeat(9)}𠀀tail`;
    expect(truncateAtSentence(text, 10)).toBe('a'.repeat(9));
  });
});
