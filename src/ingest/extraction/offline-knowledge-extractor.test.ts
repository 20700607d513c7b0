import { describe, expect, it } from 'vitest';

import { OfflineKnowledgeExtractor } from './offline-knowledge-extractor.js';

describe('OfflineKnowledgeExtractor', () => {
  it('returns entities and canonical relations for a chunk', async () => {
    const extractor = new OfflineKnowledgeExtractor();
    const knowledge = await extractor.extract(
      'Apache AGE adds graph queries to PostgreSQL. 清华大学位于北京。',
    );
    const names = knowledge.entities.map((entity) => entity.normalizedName);
    expect(names).toEqual(expect.arrayContaining(['apache age', 'postgresql', '清华大学', '北京']));
    expect(knowledge.relations.length).toBeGreaterThan(0);
    for (const relation of knowledge.relations) expect(relation.source < relation.target).toBe(true);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(new OfflineKnowledgeExtractor().extract('Text', controller.signal)).rejects.toThrow('stop');
  });
});
