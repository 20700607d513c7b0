import { describe, expect, it } from 'vitest';
import { rerankByEvidence } from './evidence-rerank.js';
import { answerCandidates, expectedAnswerType, passageEvidence, passageSignals } from './passage-signals.js';

describe('expected answer type', () => {
  it.each([
    ['Who directed Zephyr Nights?', 'person'],
    ['When was the Difference Engine designed?', 'time'],
    ['In what year did the war end?', 'time'],
    ['How many moons does Mars have?', 'number'],
    ['Where was Charles Babbage born?', 'place'],
    ['Which city hosted the 1908 Olympics?', 'place'],
    ['What is a quokka?', null],
    ['这部电影的导演是谁？', 'person'],
    ['长城是什么时候修建的？', 'time'],
    ['该省有多少人口？', 'number'],
    ['他出生在哪里？', 'place'],
  ] as const)('%s → %s', (question, type) => {
    expect(expectedAnswerType(question)).toBe(type);
  });
});

describe('answer candidates', () => {
  it('finds years, dates and numbers in English and Chinese text', () => {
    const text = 'It opened in 1908 and seats 2,500 people; 该馆于1998年建成，共有三个展厅。';
    const slice = (spans: { start: number; end: number }[]) => spans.map((span) => text.slice(span.start, span.end));
    expect(slice(answerCandidates(text, 'time'))).toEqual(expect.arrayContaining(['1908', '1998']));
    expect(slice(answerCandidates(text, 'number'))).toEqual(expect.arrayContaining(['1908', '2,500', '三']));
  });

  it('finds person names: capitalised English names and jieba-tagged Chinese names', () => {
    const text = 'The film was directed by Orla Brennan. 导演是张艺谋。';
    const names = answerCandidates(text, 'person').map((span) => text.slice(span.start, span.end));
    expect(names).toEqual(expect.arrayContaining(['Orla Brennan', '张艺谋']));
  });
});

describe('passage signals', () => {
  const question = 'When was the Difference Engine designed?';

  it('scores coverage, ordered and unordered proximity of the question terms', () => {
    const together = passageSignals(question, 'Babbage designed the Difference Engine in 1822.');
    // Terms: differ, engin, design. Pairs (differ→engin, engin→design): the passage has
    // "Difference Engine" in order; "designed … Engine" within 8 positions but not in order.
    expect(together.coverage).toBe(1);
    expect(together.orderedProximity).toBe(0.5);
    expect(together.unorderedProximity).toBe(1);
    const scattered = passageSignals(
      question,
      'The engine room was loud. Many years later, a different crew, tired and far from home, finally designed a new plan.',
    );
    expect(scattered.unorderedProximity).toBeLessThan(together.unorderedProximity);
    expect(scattered.orderedProximity).toBe(0);
  });

  it('says whether an answer of the expected type stands near the question terms', () => {
    expect(passageSignals(question, 'Babbage designed the Difference Engine in 1822.')).toMatchObject({
      answerType: 'time',
      answerNearby: 1,
    });
    expect(passageSignals(question, 'Babbage designed the Difference Engine with great care.').answerNearby).toBe(0);
    // A name the question itself contains is not an answer.
    expect(passageSignals('Who is Orla Brennan?', 'Orla Brennan paints.').answerNearby).toBe(0);
  });

  it('combines the signals into one number in [0, 1], counting answer type only when asked for', () => {
    const signals = passageSignals(question, 'Babbage designed the Difference Engine in 1822.');
    expect(passageEvidence(signals)).toBeCloseTo((1 + 0.5 + 1 + 1) / 4, 12);
    const untyped = passageSignals('Difference Engine design', 'The Difference Engine design.');
    expect(untyped.answerType).toBeNull();
    expect(passageEvidence(untyped)).toBeCloseTo((untyped.coverage + untyped.orderedProximity + untyped.unorderedProximity) / 3, 12);
  });
});

describe('evidence reordering', () => {
  it('lets a passage whose question words stand together climb above ones without them, and explains it', () => {
    const texts = new Map([
      [1, 'Steam power changed industry.'],
      [2, 'A different story: the engine failed.'],
      [3, 'Babbage designed the Difference Engine in 1822.'],
    ]);
    const { ranking, evidence } = rerankByEvidence(
      'When was the Difference Engine designed?',
      [1, 2, 3].map((chunkId) => ({ chunkId })),
      (chunkId) => texts.get(chunkId),
    );
    expect(ranking.map((chunk) => chunk.chunkId)[0]).toBe(3);
    expect(evidence.get(3)).toMatchObject({ fusedRank: 3, answerType: 'time', answerNearby: 1 });
    expect(evidence.get(3)!.score).toBeCloseTo(1 / 3 + 0.75, 12);
  });
});
