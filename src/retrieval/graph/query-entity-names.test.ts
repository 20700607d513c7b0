import { describe, expect, it } from 'vitest';
import { queryEntityNames } from './query-entity-names.js';

describe('queryEntityNames', () => {
  it("puts the extractor's entities first, then n-grams cut from the question", () => {
    const { names } = queryEntityNames("Where was Ada Lovelace's collaborator born?");
    expect(names[0]).toBe('ada lovelace');
    expect(names).toEqual(expect.arrayContaining(['ada', 'lovelace', 'ada lovelace']));
    expect(names).not.toContain('where');
  });

  it('takes a cased question at its word: lower-case words are neither names nor surnames', () => {
    const { names, lastWords } = queryEntityNames('Scott Howell is a consultant who has worked with the mayor of what city?');
    expect(names).toEqual(expect.arrayContaining(['scott howell', 'scott', 'howell']));
    for (const word of ['city', 'mayor', 'consultant', 'mayor of what city']) expect(names).not.toContain(word);
    expect(lastWords).toEqual(expect.arrayContaining(['scott', 'howell']));
    expect(lastWords).not.toContain('city');
    // Lower-case words inside a capitalised span survive.
    expect(queryEntityNames('Who wrote In Love and War?').names).toContain('love and war');
  });

  it('finds names in lower case and keeps stop words inside a span', () => {
    expect(queryEntityNames('who did ada lovelace work with').names).toContain('ada lovelace');
    expect(queryEntityNames('where is the bank of america').names).toContain('bank of america');
  });

  it('normalises like the graph does: possessives, articles, width and case', () => {
    const { names } = queryEntityNames("The Beatles' first album and ＰｏｓｔｇｒｅＳＱＬ");
    expect(names).toEqual(expect.arrayContaining(['beatles', 'postgresql']));
  });

  it('offers single Latin words as possible surnames, never numbers', () => {
    const { names, lastWords } = queryEntityNames('where was babbage born in 1791');
    expect(lastWords).toEqual(expect.arrayContaining(['babbage', 'born']));
    expect(lastWords).not.toContain('1791');
    expect(names).not.toContain('1791');
  });

  it('handles Chinese words and bounds the candidates', () => {
    expect(queryEntityNames('清华大学在哪里').names).toContain('清华大学');
    const long = Array.from({ length: 500 }, (_, index) => `word${index}`).join(' ');
    expect(queryEntityNames(long, { maxNames: 50 }).names).toHaveLength(50);
  });
});
