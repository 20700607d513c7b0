import { describe, expect, it } from 'vitest';

import { analyzeText, termFrequencies } from './analyze-text.js';

const termsOf = (text: string): string[] => analyzeText(text).map((term) => term.term);

describe('analyzeText', () => {
  it('lower-cases, removes English stop words and stems with Porter', () => {
    expect(termsOf('Running runners ran')).toEqual(['run', 'runner', 'ran']);
    expect(termsOf('The graphs of the databases are connected')).toEqual(['graph', 'databas', 'connect']);
  });

  it('drops possessive and contraction fragments', () => {
    expect(termsOf("Obama's policies don't change")).toEqual(['obama', 'polici', 'chang']);
  });

  it('folds full-width forms and diacritics with NFKC', () => {
    expect(termsOf('ＰｏｓｔｇｒｅＳＱＬ １２３')).toEqual(['postgresql', '123']);
    expect(termsOf('Café naïve')).toEqual(termsOf('cafe naive'));
  });

  it('segments Chinese into jieba dictionary words and drops function words', () => {
    // jieba's dictionary has 知识 and 图谱 but not 知识图谱: the real behaviour is two words.
    expect(termsOf('我们构建知识图谱')).toEqual(['构建', '知识', '图谱']);
    expect(termsOf('清华大学位于北京市海淀区。')).toEqual(['清华大学', '位于', '北京市', '海淀区']);
  });

  it('keeps single Han characters that jieba leaves alone', () => {
    expect(termsOf('马云创办了阿里巴巴集团')).toEqual(['马', '云', '创办', '阿里巴巴', '集团']);
  });

  it('splits mixed text by script and analyses each run by its language', () => {
    const terms = analyzeText('使用PostgreSQL构建知识图谱 with graphs');
    expect(terms.map((term) => term.term)).toEqual(['使用', 'postgresql', '构建', '知识', '图谱', 'graph']);
    expect(terms.map((term) => term.script)).toEqual(['han', 'latin', 'han', 'han', 'han', 'latin']);
  });

  it('reports offsets into the original text and positions that count stop words', () => {
    const text = 'The Beatles played in Liverpool';
    const terms = analyzeText(text);
    expect(terms.map((term) => text.slice(term.start, term.end))).toEqual(['Beatles', 'played', 'Liverpool']);
    expect(terms.map((term) => term.position)).toEqual([1, 2, 4]);
  });

  it('keeps numbers and joins thousands groupings', () => {
    expect(termsOf('In 2024 nearly 1,000 users paid 3.14 dollars')).toEqual([
      '2024',
      'nearli',
      '1000',
      'user',
      'paid',
      '3.14',
      'dollar',
    ]);
  });

  it('caps term length at 64 characters', () => {
    const [term] = termsOf('x'.repeat(500));
    expect(term).toHaveLength(64);
  });

  it('is deterministic', () => {
    const text = '知识图谱 (knowledge graphs) 把实体连接起来: Apache AGE runs on PostgreSQL 17.';
    expect(analyzeText(text)).toEqual(analyzeText(text));
  });

  it('returns nothing for punctuation and whitespace', () => {
    expect(analyzeText('  ，。!?  …  ')).toEqual([]);
  });
});

describe('termFrequencies', () => {
  it('counts terms and the document length', () => {
    const { terms, length } = termFrequencies('Graphs and graph databases: a graph of graphs.');
    expect(terms.get('graph')).toBe(4);
    expect(terms.get('databas')).toBe(1);
    expect(length).toBe(5);
  });
});
