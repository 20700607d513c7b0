import { describe, expect, it } from 'vitest';
import { analyzeQuestion } from '../question/analyze-question.js';
import type { Passage } from '../tools/agent-tools.js';
import { ExtractiveAnswerer } from './extractive-answerer.js';

function passage(chunkId: number, title: string, text: string): Passage {
  return {
    chunkId,
    documentId: `00000000-0000-4000-8000-${String(chunkId).padStart(12, '0')}`,
    documentTitle: title,
    fileName: `${title.toLowerCase().replace(/\W+/g, '-')}.md`,
    sourceKey: null,
    pages: [],
    sectionPath: [],
    text: `${title}\n\n${text}`,
    score: 1,
  };
}

const answerer = new ExtractiveAnswerer({ termWeights: new Map() });
const answer = (question: string, passages: Passage[]) => answerer.answer(analyzeQuestion(question), passages);

const lovelace = passage(1, 'Ada Lovelace', 'Ada Lovelace wrote the first program for the Analytical Engine designed by Charles Babbage.');
const babbage = passage(2, 'Charles Babbage', 'Charles Babbage was born in London and designed the Difference Engine.');

describe('extractive answerer: who-questions answer with the participant the question asks for', () => {
  it('answers the subject, not the object, even when the subject is the passage title', () => {
    const draft = answer('Who wrote the first program for the Analytical Engine?', [lovelace, babbage]);
    expect(draft.notFound).toBe(false);
    expect(draft.shortAnswer).toBe('Ada Lovelace');
    expect(draft.evidence.at(-1)).toMatchObject({ passage: 0 });
  });

  it('answers the other participant when the question is about the other verb', () => {
    expect(answer('Who designed the Analytical Engine?', [lovelace, babbage]).shortAnswer).toBe('Charles Babbage');
  });

  it('answers the agent of a passive sentence ("was written by")', () => {
    const passive = passage(3, 'Analytical Engine', 'The first program for the Analytical Engine was written by Ada Lovelace in 1843.');
    expect(answer('Who wrote the first program for the Analytical Engine?', [passive]).shortAnswer).toBe('Ada Lovelace');
    expect(answer('Who was the first program for the Analytical Engine written by?', [passive]).shortAnswer).toBe('Ada Lovelace');
  });

  it('skips an apposition that names someone else', () => {
    const apposition = passage(4, 'Ada Lovelace', 'Ada Lovelace, the daughter of Lord Byron, wrote the first program for the Analytical Engine.');
    expect(answer('Who wrote the first program for the Analytical Engine?', [apposition]).shortAnswer).toBe('Ada Lovelace');
  });

  it('answers the object for "whom did X…" and the passage subject for a pronoun', () => {
    const married = passage(5, 'Ada Lovelace', 'In 1835 Ada Lovelace married William King.');
    expect(answer('Whom did Ada Lovelace marry?', [married]).shortAnswer).toBe('William King');
    const pronoun = passage(6, 'Charles Babbage', 'Charles Babbage was an English mathematician. He was born in London in 1791.');
    expect(answer('Who was born in London in 1791?', [pronoun]).shortAnswer).toBe('Charles Babbage');
  });

  it('still says plainly when the passages do not answer', () => {
    expect(answer('Who composed the Moonlight Sonata?', [lovelace, babbage]).notFound).toBe(true);
  });
});
