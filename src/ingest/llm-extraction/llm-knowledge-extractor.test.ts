import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { UpstreamError } from '../../core/errors.js';
import { OpenAiChatModel } from '../../models/openai-compatible/openai-chat-model.js';
import {
  startChatCompletionsTestServer,
  type ChatCompletionsTestServer,
  type RecordedChatRequest,
} from './chat-completions-test-server.js';
import { LlmKnowledgeExtractor, type LlmKnowledgeExtractorOptions } from './llm-knowledge-extractor.js';

const logger = pino({ level: 'silent' });
let server: ChatCompletionsTestServer;
let chatModel: OpenAiChatModel;

beforeAll(async () => {
  server = await startChatCompletionsTestServer();
  chatModel = new OpenAiChatModel({
    baseUrl: server.baseUrl,
    model: 'test-model',
    maxConcurrency: 3,
    maxRetries: 0,
    timeoutMs: 10_000,
  });
});

afterAll(async () => {
  await server.close();
});

function extractor(options: Partial<LlmKnowledgeExtractorOptions> = {}): LlmKnowledgeExtractor {
  return new LlmKnowledgeExtractor({ chatModel, logger, ...options });
}

function lastUserMessage(request: RecordedChatRequest): string {
  return request.messages.findLast((message) => message.role === 'user')?.content ?? '';
}

function isGleaning(request: RecordedChatRequest): boolean {
  return lastUserMessage(request).includes('MANY entities');
}

function isRepair(request: RecordedChatRequest): boolean {
  return lastUserMessage(request).includes('not valid JSON');
}

const nothingMore = JSON.stringify({ entities: [], relations: [] });

/** Answers the first extraction with `first` and every gleaning with `gleaned`. */
function answerWith(first: unknown, gleaned: unknown = nothingMore): void {
  const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
  server.answer((request) => text(isGleaning(request) ? gleaned : first));
}

describe('LlmKnowledgeExtractor', () => {
  it('extracts normalised entities and relations from English text', async () => {
    answerWith({
      entities: [
        { name: 'Marie Curie', type: 'Person', description: 'Physicist who studied radioactivity.' },
        { name: 'The University of Paris', type: 'organization', description: 'A university in Paris.' },
        { name: 'Pierre Curie', type: 'person', description: 'Scientist.' },
      ],
      relations: [
        {
          source: 'Marie Curie',
          target: 'The University of Paris',
          description: 'Marie Curie worked at the university.',
          keywords: ['employment', 'research'],
          strength: 9,
        },
      ],
    });
    const knowledge = await extractor().extract(
      'Marie Curie worked at the University of Paris. Later, Marie Curie married Pierre Curie.',
    );

    expect(knowledge.entities).toEqual([
      {
        name: 'Marie Curie',
        normalizedName: 'marie curie',
        type: 'person',
        count: 2,
        description: 'Physicist who studied radioactivity.',
      },
      {
        name: 'The University of Paris',
        normalizedName: 'university of paris',
        type: 'organization',
        count: 1,
        description: 'A university in Paris.',
      },
      {
        name: 'Pierre Curie',
        normalizedName: 'pierre curie',
        type: 'person',
        count: 1,
        description: 'Scientist.',
      },
    ]);
    expect(knowledge.relations).toEqual([
      {
        source: 'marie curie',
        target: 'university of paris',
        weight: 0.9,
        description: 'Marie Curie worked at the university.',
        keywords: ['employment', 'research'],
      },
    ]);

    const [first] = server.requests;
    expect(first?.temperature).toBe(0);
    expect(first?.response_format).toEqual({ type: 'json_object' });
    expect(first?.messages[0]?.role).toBe('system');
    expect(first?.messages[0]?.content).toContain(
      'person, organization, place, event, work, concept, technology, other',
    );
    expect(lastUserMessage(first ?? { model: '', messages: [] })).toContain(
      'Marie Curie worked at the University',
    );
  });

  it('keeps Chinese names as written and counts their mentions', async () => {
    answerWith({
      entities: [
        { name: '清华大学', type: 'organization', description: '位于北京的大学。' },
        { name: '北京', type: 'place', description: '中国的首都。' },
      ],
      relations: [
        {
          source: '清华大学',
          target: '北京',
          description: '清华大学位于北京。',
          keywords: '位置，地理',
          strength: 8,
        },
      ],
    });
    const knowledge = await extractor({ language: 'Chinese' }).extract(
      '清华大学位于北京。清华大学成立于1911年。',
    );

    expect(
      knowledge.entities.map(({ name, normalizedName, type, count }) => ({
        name,
        normalizedName,
        type,
        count,
      })),
    ).toEqual([
      { name: '清华大学', normalizedName: '清华大学', type: 'organization', count: 2 },
      { name: '北京', normalizedName: '北京', type: 'place', count: 1 },
    ]);
    // Relations name their endpoints by normalised name, in code-unit order.
    expect(knowledge.relations).toEqual([
      {
        source: '北京',
        target: '清华大学',
        weight: 0.8,
        description: '清华大学位于北京。',
        keywords: ['位置', '地理'],
      },
    ]);
    expect(server.requests[0]?.messages[0]?.content).toContain('Write every description in Chinese.');
  });

  it('gleans entities the first answer missed, sending the first exchange as history', async () => {
    const firstAnswer = JSON.stringify({
      entities: [
        { name: 'Ada Lovelace', type: 'person', description: 'Mathematician.' },
        { name: 'Analytical Engine', type: 'technology', description: 'A mechanical computer.' },
      ],
      relations: [
        {
          source: 'Ada Lovelace',
          target: 'Analytical Engine',
          description: 'She wrote programs for it.',
          strength: 8,
        },
      ],
    });
    answerWith(firstAnswer, {
      entities: [
        { name: 'Charles Babbage', type: 'person', description: 'Designer of the Analytical Engine.' },
        // Repeated with a second description: merged, not duplicated.
        { name: 'Ada Lovelace', type: 'person', description: 'Wrote the first program.' },
      ],
      relations: [
        {
          source: 'Charles Babbage',
          target: 'Analytical Engine',
          description: 'He designed it.',
          strength: 10,
        },
      ],
    });
    const text = 'Ada Lovelace wrote programs for the Analytical Engine, which Charles Babbage designed.';
    const knowledge = await extractor().extract(text);

    expect(knowledge.entities.map((entity) => entity.normalizedName)).toEqual([
      'ada lovelace',
      'analytical engine',
      'charles babbage',
    ]);
    expect(knowledge.entities[0]?.description).toBe('Mathematician.\nWrote the first program.');
    expect(
      knowledge.relations.map((relation) => [relation.source, relation.target, relation.weight]),
    ).toEqual([
      ['analytical engine', 'charles babbage', 1],
      ['ada lovelace', 'analytical engine', 0.8],
    ]);

    // The first extraction and one gleaning (the default).
    expect(server.requests).toHaveLength(2);
    const gleaning = server.requests[1];
    expect(gleaning?.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
    ]);
    expect(gleaning?.messages[0]).toEqual(server.requests[0]?.messages[0]);
    expect(gleaning?.messages[1]).toEqual(server.requests[0]?.messages[1]);
    expect(gleaning?.messages[2]?.content).toBe(firstAnswer);
    expect(gleaning?.messages[3]?.content).toContain(
      'MANY entities and relations were missed in the last extraction',
    );
    expect(gleaning?.response_format).toEqual({ type: 'json_object' });
  });

  it('runs as many gleaning passes as configured, stopping when nothing new comes', async () => {
    server.answer((request, number) =>
      JSON.stringify({
        entities: [{ name: number < 2 ? `Entity ${number}` : 'Entity 0', type: 'concept' }],
        relations: [],
      }),
    );
    const knowledge = await extractor({ gleaning: 3 }).extract('Entity 0, Entity 1 and Entity 2.');
    // Answer 2 repeats answer 0, so the third gleaning is never asked.
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2]?.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    expect(knowledge.entities.map((entity) => entity.name)).toEqual(['Entity 0', 'Entity 1']);

    answerWith({ entities: [{ name: 'Solo', type: 'concept' }], relations: [] });
    await extractor({ gleaning: 0 }).extract('Solo.');
    expect(server.requests).toHaveLength(1);
  });

  it('accepts JSON in a code fence, with prose and reasoning around it', async () => {
    answerWith(
      '<think>The text names one place.</think>Here is the result:\n```json\n{"entities":[{"name":"Lisbon","type":"place"}],"relations":[]}\n```\nDone.',
    );
    const knowledge = await extractor().extract('Lisbon is by the sea.');
    expect(knowledge.entities).toEqual([
      { name: 'Lisbon', normalizedName: 'lisbon', type: 'place', count: 1 },
    ]);
    expect(server.requests).toHaveLength(2);
  });

  it('drops invalid items, tolerates missing fields and coerces strengths', async () => {
    answerWith({
      entities: [
        { name: 'Tokyo', type: 'place', description: 42 },
        { type: 'person', description: 'no name' },
        { name: '   ', type: 'concept' },
        { name: 1984, type: 'work' },
        'Kyoto',
        { name: 'Osaka', type: 'galaxy' },
        null,
      ],
      relations: [
        { source: 'Tokyo', target: 'Kyoto', strength: '7', keywords: [1, 'rail'] },
        { source: 'Tokyo', target: 'Osaka', strength: 'very strong' },
        { source: 'Tokyo' },
        { source: 'Kyoto', target: 1984, strength: 0.3 },
        'Tokyo -> Kyoto',
      ],
      notes: 'ignored',
    });
    const knowledge = await extractor().extract('Tokyo, Kyoto and Osaka appear in 1984.');

    expect(knowledge.entities).toEqual([
      { name: 'Tokyo', normalizedName: 'tokyo', type: 'place', count: 1 },
      { name: '1984', normalizedName: '1984', type: 'work', count: 1 },
      { name: 'Kyoto', normalizedName: 'kyoto', type: 'other', count: 1 },
      // Not one of the configured types.
      { name: 'Osaka', normalizedName: 'osaka', type: 'other', count: 1 },
    ]);
    expect(knowledge.relations).toEqual([
      { source: 'kyoto', target: 'tokyo', weight: 0.7, keywords: ['rail'] },
      { source: 'osaka', target: 'tokyo', weight: 0.5, keywords: [] },
      // A strength under 1 is read as already on a 0–1 scale.
      { source: '1984', target: 'kyoto', weight: 0.3, keywords: [] },
    ]);
  });

  it('asks once for a repair when the answer is not JSON, and uses the repaired answer', async () => {
    server.answer((request) => {
      if (isRepair(request))
        return JSON.stringify({ entities: [{ name: 'Oslo', type: 'place' }], relations: [] });
      if (isGleaning(request)) return nothingMore;
      return 'Entities: Oslo (place).';
    });
    const knowledge = await extractor().extract('Oslo in winter.');
    expect(knowledge.entities.map((entity) => entity.name)).toEqual(['Oslo']);

    const repair = server.requests[1];
    expect(repair?.messages.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(repair?.messages[2]?.content).toBe('Entities: Oslo (place).');
    // The gleaning's history holds the valid answer, not the failed one.
    expect(server.requests[2]?.messages[2]?.content).toContain('"Oslo"');
    expect(server.requests).toHaveLength(3);
  });

  it('fails with UpstreamError after one repair request when no answer is JSON', async () => {
    server.answer(() => 'I cannot help with that.');
    const failure = await extractor()
      .extract('Some text about Bergen.')
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ code: 'extraction_invalid_output', kind: 'upstream_failed' });
    expect(server.requests).toHaveLength(2);
    expect(isRepair(server.requests[1] ?? { model: '', messages: [] })).toBe(true);
  });

  it('keeps the first answer when a gleaning answer is not JSON even after a repair', async () => {
    server.answer((request) =>
      isGleaning(request) || isRepair(request)
        ? 'no idea'
        : JSON.stringify({ entities: [{ name: 'Rome', type: 'place' }], relations: [] }),
    );
    const knowledge = await extractor().extract('Rome.');
    expect(knowledge.entities.map((entity) => entity.name)).toEqual(['Rome']);
    expect(server.requests).toHaveLength(3);
  });

  it('adds missing relation endpoints, drops self-loops and merges pairs in either order', async () => {
    answerWith({
      entities: [
        { name: 'Apple', type: 'other' },
        { name: 'Steve Jobs', type: 'person', description: 'Co-founder of Apple.' },
      ],
      relations: [
        { source: 'Steve Jobs', target: 'Apple', description: 'He co-founded Apple.', strength: 9 },
        { source: 'Apple', target: 'Steve Jobs', description: 'He co-founded Apple.', strength: 6 },
        { source: 'Apple', target: 'apple', strength: 10 },
        { source: 'Apple', target: "Apple's", strength: 10 },
        {
          source: 'Steve Wozniak',
          target: 'Apple',
          description: 'He co-founded Apple too.',
          keywords: ['founding'],
        },
      ],
    });
    const knowledge = await extractor().extract('Steve Jobs and Steve Wozniak founded Apple. Apple grew.');

    expect(
      knowledge.entities.map(({ normalizedName, type, count }) => ({ normalizedName, type, count })),
    ).toEqual([
      { normalizedName: 'apple', type: 'other', count: 2 },
      { normalizedName: 'steve jobs', type: 'person', count: 1 },
      { normalizedName: 'steve wozniak', type: 'other', count: 1 },
    ]);
    expect(knowledge.entities[2]?.name).toBe('Steve Wozniak');
    expect(knowledge.relations).toHaveLength(2);
    expect(knowledge.relations[0]).toMatchObject({
      source: 'apple',
      target: 'steve jobs',
      description: 'He co-founded Apple.',
    });
    expect(knowledge.relations[0]?.weight).toBeCloseTo(1.5);
    expect(knowledge.relations[1]).toEqual({
      source: 'apple',
      target: 'steve wozniak',
      weight: 0.5,
      description: 'He co-founded Apple too.',
      keywords: ['founding'],
    });
  });

  it('takes the first specific type an entity is given, across answers', async () => {
    answerWith(
      { entities: [{ name: 'Rust' }], relations: [{ source: 'Rust', target: 'Mozilla', strength: 5 }] },
      {
        entities: [
          { name: 'Mozilla', type: 'ORGANIZATION' },
          { name: 'rust', type: 'technology' },
        ],
        relations: [],
      },
    );
    const knowledge = await extractor().extract('Rust came out of Mozilla.');
    expect(knowledge.entities.map(({ normalizedName, type }) => [normalizedName, type])).toEqual([
      ['rust', 'technology'],
      ['mozilla', 'organization'],
    ]);
  });

  it('honours the entity and relation caps, keeping relations between kept entities only', async () => {
    answerWith({
      entities: ['A1', 'B2', 'C3', 'D4'].map((name) => ({ name, type: 'concept' })),
      relations: [
        { source: 'A1', target: 'C3', strength: 10 },
        { source: 'A1', target: 'B2', strength: 3 },
        { source: 'B2', target: 'A1', strength: 2 },
        { source: 'B2', target: 'E5', strength: 9 },
      ],
    });
    const capped = extractor({ maxEntitiesPerChunk: 2, maxRelationsPerChunk: 1 });
    const knowledge = await capped.extract('A1 B2 C3 D4 E5');
    expect(knowledge.entities.map((entity) => entity.name)).toEqual(['A1', 'B2']);
    expect(knowledge.relations).toEqual([{ source: 'a1', target: 'b2', weight: 0.5, keywords: [] }]);
    expect(server.requests[0]?.messages[0]?.content).toContain('At most 2 entities');

    const uncapped = await extractor({ maxRelationsPerChunk: 2 }).extract('A1 B2 C3 D4 E5');
    expect(uncapped.entities.map((entity) => entity.name)).toEqual(['A1', 'B2', 'C3', 'D4', 'E5']);
    expect(uncapped.relations.map((relation) => `${relation.source}-${relation.target}`)).toEqual([
      'a1-c3',
      'b2-e5',
    ]);
  });

  it('declares the chat model concurrency, skips empty text and validates options', async () => {
    const instance = extractor();
    expect(instance.maxConcurrency).toBe(3);
    expect(instance.name).toBe('rhizome-llm-v1/test-model');

    server.answer(() => nothingMore);
    expect(await instance.extract('  \n ')).toEqual({ entities: [], relations: [] });
    expect(server.requests).toHaveLength(0);

    expect(() => extractor({ gleaning: -1 })).toThrow('Invalid LLM knowledge extractor options');
    expect(() => extractor({ entityTypes: [] })).toThrow('Invalid LLM knowledge extractor options');
  });

  it('honours an aborted signal without calling the model', async () => {
    server.answer(() => nothingMore);
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(extractor().extract('Text', controller.signal)).rejects.toThrow('stop');
    expect(server.requests).toHaveLength(0);
  });
});
