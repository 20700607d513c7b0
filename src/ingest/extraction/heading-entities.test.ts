import { describe, expect, it } from 'vitest';

import { extractEntities } from './extract-entities.js';
import { headingEntityNames, titleAsName } from './heading-entities.js';

const keys = (text: string, headings: readonly string[]): Map<string, { type: string; count: number }> =>
  new Map(extractEntities(text, { headings }).map((entity) => [entity.normalizedName, entity]));

describe('titleAsName', () => {
  it('keeps short titles and drops their bracketed disambiguation', () => {
    expect(titleAsName('Lilu (mythology)')).toBe('Lilu');
    expect(titleAsName('  Haymo   of Faversham ')).toBe('Haymo of Faversham');
    expect(titleAsName('张学友（歌手）')).toBe('张学友');
    expect(titleAsName('2009年马其顿总统选举')).toBe('2009年马其顿总统选举');
  });

  it('refuses headlines, sentences and titles without letters', () => {
    expect(titleAsName('Apple sues Samsung over its new phone design in a California court')).toBeUndefined();
    expect(titleAsName('Why the sky is blue.')).toBeUndefined();
    expect(titleAsName('这是一个很长的新闻标题用来说明一件发生在很久以前的事情的经过')).toBeUndefined();
    expect(titleAsName('2019')).toBeUndefined();
    expect(titleAsName('(draft)')).toBeUndefined();
  });
});

describe('headingEntityNames', () => {
  it('takes the title whole and the names inside every heading, each once', () => {
    const names = headingEntityNames(['Bible translations into Tibetan', 'Career at Warner Bros', 'Early life']);
    expect(names.map((name) => name.name)).toEqual(['Bible translations into Tibetan', 'Tibetan', 'Warner Bros']);
  });

  it('takes nothing from a generic section heading', () => {
    expect(headingEntityNames([])).toEqual([]);
    expect(headingEntityNames(['Apple sues Samsung over its new phone design in a California court', 'Early life']).map((name) => name.name)).not.toContain('Early');
  });
});

describe('extractEntities with headings', () => {
  it('makes the title an entity of a chunk that never repeats it in full', () => {
    const entities = keys('Lilu or lilu is a masculine Semitic word for a spirit or demon.', ['Lilu (mythology)']);
    expect(entities.get('lilu')?.count).toBe(1);
    expect(extractEntities('Lilu or lilu is a masculine Semitic word for a spirit or demon.').map((entity) => entity.normalizedName)).not.toContain('lilu');
  });

  it('merges the title with its mentions in the text and folds the surname into it', () => {
    const entities = keys('Nolan was born in London. Christopher Nolan directed The Prestige.', ['Christopher Nolan']);
    expect(entities.has('nolan')).toBe(false);
    expect(entities.get('christopher nolan')).toMatchObject({ type: 'person', count: 3 });
  });

  it('does not fold a name into a title that is not a name ("Recovery of Aristotle")', () => {
    const entities = keys('The era saw Aristotle translated into Latin.', ['Recovery of Aristotle']);
    expect(entities.has('recovery of aristotle')).toBe(true);
    expect(entities.get('aristotle')?.count).toBe(1);
  });

  it('finds a Chinese title whose name jieba does not know', () => {
    const entities = keys('中国足球运动员，司职后卫，现效力于河南建业。', ['楼曾瑞']);
    expect(entities.has('楼曾瑞')).toBe(true);
    expect(entities.has('河南建业')).toBe(true);
  });

  it('relates the title to the entities of the text', async () => {
    const { OfflineKnowledgeExtractor } = await import('./offline-knowledge-extractor.js');
    const knowledge = await new OfflineKnowledgeExtractor().extract('He was a friar who worked in Paris.', undefined, {
      headings: ['Haymo of Faversham'],
    });
    expect(knowledge.relations).toContainEqual(
      expect.objectContaining({ source: 'haymo of faversham', target: 'paris' }),
    );
  });
});
