import { describe, expect, it } from 'vitest';

import { countMentions } from './count-mentions.js';

describe('countMentions', () => {
  it('counts whole-word occurrences ignoring case in spaced scripts', () => {
    expect(countMentions('AGE extends Postgres; age is in every page.', ['AGE'])).toBe(2);
    expect(countMentions('C++ and c++ again', ['C++'])).toBe(2);
    expect(countMentions('New  York, new york', ['New York'])).toBe(2);
  });

  it('counts any occurrence in Chinese text', () => {
    expect(countMentions('清华大学位于北京。清华大学很大。', ['清华大学'])).toBe(2);
  });

  it('takes the most frequent form and is at least 1', () => {
    expect(countMentions('The Beatles. Beatles again. Beatles.', ['The Beatles', 'Beatles'])).toBe(3);
    expect(countMentions('No mention here.', ['Absent'])).toBe(1);
  });
});
