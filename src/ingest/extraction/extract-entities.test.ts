import { describe, expect, it } from 'vitest';

import { extractEntities } from './extract-entities.js';
import type { ExtractedEntity } from './extracted-entity.js';

const byKey = (entities: readonly ExtractedEntity[]): Map<string, ExtractedEntity> =>
  new Map(entities.map((entity) => [entity.normalizedName, entity]));

describe('extractEntities (English)', () => {
  it('finds proper-noun phrases and drops sentence-start function words', () => {
    const text =
      'Barack Obama was the 44th President of the United States. However, Apache AGE extends PostgreSQL with graphs.';
    const entities = byKey(extractEntities(text));
    expect([...entities.keys()]).toEqual(
      expect.arrayContaining(['barack obama', 'united states', 'apache age', 'postgresql']),
    );
    for (const stopLike of ['however', 'the', 'president', '44th'])
      expect(entities.has(stopLike)).toBe(false);
    expect(entities.get('united states')?.type).toBe('place');
    const obama = entities.get('barack obama');
    expect(obama?.name).toBe('Barack Obama');
    expect(text.slice(obama?.mentions[0]?.start, obama?.mentions[0]?.end)).toBe('Barack Obama');
  });

  it('joins names across of/the/de, ampersands and tight hyphens', () => {
    const keys = extractEntities(
      'She studied at the University of Oxford. Later she flew from Charles de Gaulle Airport to visit Rolls-Royce and Procter & Gamble.',
    ).map((entity) => entity.normalizedName);
    expect(keys).toEqual(
      expect.arrayContaining([
        'university of oxford',
        'charles de gaulle airport',
        'rolls-royce',
        'procter & gamble',
      ]),
    );
  });

  it('does not join two names across a plain "and"', () => {
    const keys = extractEntities('France and Germany signed the treaty.').map(
      (entity) => entity.normalizedName,
    );
    expect(keys).toEqual(expect.arrayContaining(['france', 'germany']));
    expect(keys).not.toContain('france and germany');
  });

  it('merges "The Beatles" and "Beatles\'" under one normalised name', () => {
    const entities = extractEntities("The Beatles formed in Liverpool. The Beatles' first album sold well.");
    const beatles = entities.filter((entity) => entity.normalizedName === 'beatles');
    expect(beatles).toHaveLength(1);
    expect(beatles[0]?.count).toBe(2);
    expect(beatles[0]?.mentions.map((mention) => mention.sentence)).toEqual([0, 1]);
  });

  it('folds a lone surname into the full name and calls it a person', () => {
    const entities = byKey(extractEntities('Barack Obama visited Berlin. Obama spoke for an hour.'));
    expect(entities.has('obama')).toBe(false);
    expect(entities.get('barack obama')?.count).toBe(2);
    expect(entities.get('barack obama')?.type).toBe('person');
  });

  it('types organisations, honorific persons and quoted works', () => {
    const entities = byKey(
      extractEntities(
        'Dr. Watson joined Harvard University. He wrote "The Double Helix" about the discovery.',
      ),
    );
    expect(entities.get('harvard university')?.type).toBe('organization');
    expect(entities.get('watson')?.type).toBe('person');
    expect(entities.get('double helix')?.type).toBe('work');
  });

  it('keeps e-mail addresses and URLs but not dates', () => {
    const keys = extractEntities(
      'Write to team@example.org or visit https://age.apache.org on 5 May 2020.',
    ).map((entity) => entity.normalizedName);
    expect(keys).toEqual(expect.arrayContaining(['team@example.org', 'https://age.apache.org']));
    expect(keys.some((key) => key.includes('may'))).toBe(false);
  });

  it('returns nothing for text without names', () => {
    expect(extractEntities('it was a quiet day and nothing happened at all.')).toEqual([]);
    expect(extractEntities('')).toEqual([]);
  });
});

describe('extractEntities (Chinese)', () => {
  it('finds places, organisations and persons from jieba tags, and book titles', () => {
    const entities = byKey(
      extractEntities('我在北京的清华大学学习，读了《红楼梦》。马云创办了阿里巴巴集团，总部位于杭州。'),
    );
    expect(entities.get('北京')?.type).toBe('place');
    expect(entities.get('清华大学')?.type).toBe('organization');
    expect(entities.get('杭州')?.type).toBe('place');
    expect(entities.get('红楼梦')?.type).toBe('work');
    expect(entities.get('阿里巴巴集团')?.type).toBe('organization');
    for (const functionWord of ['我', '学习', '总部']) expect(entities.has(functionWord)).toBe(false);
  });

  it('takes an unknown word the chunk repeats as a name, and English names inside Chinese text', () => {
    const entities = byKey(
      extractEntities('赵鹏加入了球队。后来赵鹏成为队长。我们使用Apache AGE和PostgreSQL构建知识图谱。'),
    );
    expect(entities.get('赵鹏')?.type).toBe('person');
    expect(entities.get('赵鹏')?.count).toBe(2);
    expect(entities.has('apache age')).toBe(true);
    expect(entities.has('postgresql')).toBe(true);
  });

  it('handles mixed text with both extractors', () => {
    const keys = extractEntities('Barack Obama visited 北京 and met students at 清华大学 in China.').map(
      (entity) => entity.normalizedName,
    );
    expect(keys).toEqual(expect.arrayContaining(['barack obama', '北京', '清华大学', 'china']));
  });
});

describe('extractEntities bounds', () => {
  it('caps the number of entities per chunk, most mentioned first', () => {
    const names = Array.from(
      { length: 30 },
      (_, index) => `Project ${String.fromCharCode(65 + (index % 26))}${index}`,
    );
    const text = `${names.map((name) => `${name} uses Apache AGE.`).join(' ')}`;
    const entities = extractEntities(text, { maxEntities: 5 });
    expect(entities).toHaveLength(5);
    expect(entities[0]?.normalizedName).toBe('apache age');
  });
});
