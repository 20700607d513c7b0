import { describe, expect, it } from 'vitest';
import { roleQuery, roleSpan } from './grammatical-roles.js';

describe('roleQuery: which participant of its verb a "who" question asks for', () => {
  it.each([
    ['Who wrote the first program for the Analytical Engine?', { verbLemma: 'write', wanted: 'agent' }],
    ['Who has written the most novels?', { verbLemma: 'write', wanted: 'agent' }],
    ['Who was the first program written by?', { verbLemma: 'write', wanted: 'agent' }],
    ['The first program was written by whom?', { verbLemma: 'write', wanted: 'agent' }],
    ['Whom did Ada Lovelace marry?', { verbLemma: 'marry', wanted: 'patient' }],
    ['Who did Ada Lovelace marry?', { verbLemma: 'marry', wanted: 'patient' }],
    ['Who was born in London?', { verbLemma: 'bear', wanted: 'patient' }],
  ])('%s', (question, expected) => {
    expect(roleQuery(question)).toEqual(expected);
  });

  it.each(['Who is Ada Lovelace?', 'Who was the director of Titanic?', 'When did Ada Lovelace die?', 'Whose program ran first?'])(
    'asks for an identity or no participant: %s',
    (question) => {
      expect(roleQuery(question)).toBeNull();
    },
  );
});

describe('roleSpan: the participant in the sentence', () => {
  const wrote = { verbLemma: 'write', wanted: 'agent' } as const;

  it('takes the subject of an active verb, not its object or a name in a later clause', () => {
    const sentence = 'Ada Lovelace wrote the first program for the Analytical Engine designed by Charles Babbage.';
    expect(roleSpan(wrote, sentence)).toMatchObject({ text: 'Ada Lovelace', start: 0, pronoun: false });
    // The same sentence asked about the other verb: its agent follows "by" (a reduced passive).
    expect(roleSpan({ verbLemma: 'design', wanted: 'agent' }, sentence)).toMatchObject({ text: 'Charles Babbage' });
  });

  it('takes the agent after "by" in the passive voice', () => {
    expect(roleSpan(wrote, 'The first program for the Analytical Engine was written by Ada Lovelace, a mathematician.')).toMatchObject({
      text: 'Ada Lovelace',
    });
  });

  it('skips an apposition between commas, and a relative pronoun, to the subject', () => {
    expect(roleSpan(wrote, 'Ada Lovelace, the daughter of Lord Byron, wrote the first program.')?.text).toBe('Ada Lovelace');
    expect(roleSpan(wrote, 'Ada Lovelace, who wrote the first program, died young.')?.text).toBe('Ada Lovelace');
    expect(roleSpan(wrote, 'The program, which Ada Lovelace wrote in 1843, was published.')?.text).toBe('Ada Lovelace');
  });

  it('takes the object of an active verb and the subject of a passive one when the patient is asked for', () => {
    expect(roleSpan({ verbLemma: 'marry', wanted: 'patient' }, 'In 1835 Ada Lovelace married William King.')?.text).toBe('William King');
    expect(roleSpan({ verbLemma: 'bear', wanted: 'patient' }, 'Charles Babbage was born in London.')?.text).toBe('Charles Babbage');
  });

  it('reports a pronoun subject so that the passage subject can stand for it', () => {
    expect(roleSpan({ verbLemma: 'bear', wanted: 'patient' }, 'He was born in London in 1791.')).toMatchObject({ pronoun: true });
  });

  it('finds nothing in a sentence without the verb, or whose participant is not a name', () => {
    expect(roleSpan(wrote, 'Charles Babbage was born in London.')).toBeNull();
    expect(roleSpan(wrote, 'The committee wrote a report.')).toBeNull();
  });
});
