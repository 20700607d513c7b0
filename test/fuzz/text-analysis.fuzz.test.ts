import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DocumentBlock, StructuredDocument } from '../../src/core/document.js';
import { isSafeText } from '../../src/core/text-safety.js';
import { analyzeText, termFrequencies } from '../../src/ingest/analysis/analyze-text.js';
import { countTokens } from '../../src/ingest/analysis/count-tokens.js';
import { maxTermLength } from '../../src/ingest/analysis/normalize-term.js';
import { chunkDocument } from '../../src/ingest/chunking/chunk-document.js';
import { layoutPlainText, renderPlainText } from '../../src/ingest/chunking/render-plain-text.js';
import { analyzeQuery } from '../../src/retrieval/analyze-query.js';
import { defaultBm25Parameters, inverseDocumentFrequency, termFrequencyWeight } from '../../src/retrieval/bm25-scoring.js';
import { fuzzParameters } from './fuzz-settings.js';

/**
 * Properties of the text path every document and query takes: the tokenizer (English, Chinese and
 * whatever else arrives), the chunker and the BM25 formula. Random inputs, fixed seed (see
 * fuzz-settings.ts); a failure prints the seed and the shrunk counterexample.
 */

const englishWords = ['the', 'Running', 'runners', 'database', 'PostgreSQL', 'graph', 'of', 'and', 'café', 'naïve', 'indexes', 'B-tree', "don't", 'x86_64', 'Ünïcödé'];
const chineseWords = ['清华大学', '北京', '的', '知识图谱', '检索', '数据库', '了', '中华人民共和国', '人工智能', '我们', '山', '水', '是'];
const oddPieces = ['3.14', '1,000', '１２３', 'ＰｏｓｔｇｒｅＳＱＬ', '\u0301', 'ﬁ', '٣٤٥', 'नमस्ते', '😀', '\ud800', '\udc00', '\u0000', '\u200b', '\t', '\n', '。', '，', '-', ' ', 'a'.repeat(80), '汉'.repeat(70)];

/** Text that looks like the corpus: words of both languages, numbers, punctuation and hostile bits. */
const mixedText = fc
  .array(fc.oneof(fc.constantFrom(...englishWords), fc.constantFrom(...chineseWords), fc.constantFrom(...oddPieces), fc.string({ unit: 'binary', maxLength: 6 })), {
    maxLength: 40,
  })
  .chain((pieces) => fc.array(fc.constantFrom(' ', '', ', ', '. ', '\n'), { minLength: pieces.length, maxLength: pieces.length }).map((separators) => pieces.map((piece, index) => piece + separators[index]).join('')));

/** Any UTF-16 string at all, lone surrogates included. */
const anyText = fc.string({ unit: 'binary', maxLength: 200 });

const text = fc.oneof(mixedText, anyText);

const asciiWords = fc.array(fc.stringMatching(/^[A-Za-z]{1,12}$/), { minLength: 1, maxLength: 20 }).map((words) => words.join(' '));

function toFullWidth(value: string): string {
  return value.replace(/[!-~]/g, (character) => String.fromCharCode(character.charCodeAt(0) + 0xfee0));
}

function terms(value: string): string[] {
  return analyzeText(value).map((term) => term.term);
}

describe('tokenizer properties', () => {
  it('never throws, and every term is a short, storable, in-bounds, ordered token', () => {
    fc.assert(
      fc.property(text, (value) => {
        let previousPosition = -1;
        let previousStart = -1;
        for (const term of analyzeText(value)) {
          expect(term.term.length).toBeGreaterThan(0);
          expect(term.term.length).toBeLessThanOrEqual(maxTermLength);
          expect(term.term).not.toMatch(/\s/u);
          expect(term.start).toBeGreaterThanOrEqual(0);
          expect(term.end).toBeGreaterThan(term.start);
          expect(term.end).toBeLessThanOrEqual(value.length);
          expect(term.position).toBeGreaterThan(previousPosition);
          expect(term.start).toBeGreaterThanOrEqual(previousStart);
          // A term is stored in PostgreSQL text: it must never hold NUL or half a surrogate pair
          // unless the source token did (such input is refused at the API boundary).
          if (isSafeText(value.slice(term.start, term.end))) expect(isSafeText(term.term)).toBe(true);
          previousPosition = term.position;
          previousStart = term.start;
        }
      }),
      fuzzParameters(400),
    );
  });

  it('is deterministic, and term frequencies add up to the document length', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(terms(value)).toEqual(terms(value));
        const frequencies = termFrequencies(value);
        expect([...frequencies.terms.values()].reduce((sum, count) => sum + count, 0)).toBe(frequencies.length);
        expect(frequencies.length).toBe(analyzeText(value).length);
      }),
      fuzzParameters(300),
    );
  });

  it('analyses two texts joined by a space as the two texts one after the other', () => {
    fc.assert(
      fc.property(text, text, (left, right) => {
        expect(terms(`${left} ${right}`)).toEqual([...terms(left), ...terms(right)]);
      }),
      fuzzParameters(300),
    );
  });

  it('ignores case and full-width forms of English text', () => {
    fc.assert(
      fc.property(asciiWords, (value) => {
        const expected = terms(value);
        expect(terms(value.toUpperCase())).toEqual(expected);
        expect(terms(toFullWidth(value))).toEqual(expected);
      }),
      fuzzParameters(300),
    );
  });

  it('gives a query exactly the terms and frequencies the index stores for the same text', () => {
    fc.assert(
      fc.property(text, (value) => {
        const indexed = termFrequencies(value).terms;
        const query = analyzeQuery(value);
        expect(new Map(query.map((term) => [term.term, term.frequency]))).toEqual(indexed);
      }),
      fuzzParameters(300),
    );
  });

  it('finds an English or numeric term again when its source word alone is the query', () => {
    fc.assert(
      fc.property(text, (value) => {
        for (const term of analyzeText(value)) {
          if (term.script === 'han') continue;
          expect(terms(value.slice(term.start, term.end))).toEqual([term.term]);
        }
      }),
      fuzzParameters(300),
    );
  });

  it('keeps Chinese terms as slices of the source, and drops no Han character but stop words', () => {
    const hanText = fc.array(fc.constantFrom(...chineseWords, '汉', '字', '龘', '𠀀'), { minLength: 1, maxLength: 30 }).map((words) => words.join(''));
    fc.assert(
      fc.property(hanText, (value) => {
        const analyzed = analyzeText(value);
        for (const term of analyzed) {
          expect(term.script).toBe('han');
          expect(value.slice(term.start, term.end).normalize('NFKC').startsWith(term.term)).toBe(true);
        }
        // Stop words (的, 了, 是…) are the only Han text that may go unindexed.
        const unindexed = value.split('').filter((_character, offset) => !analyzed.some((term) => term.start <= offset && offset < term.end));
        for (const character of unindexed) expect('的了是我们'.includes(character), `${character} of ${value} not indexed`).toBe(true);
      }),
      fuzzParameters(300),
    );
  });

  it('counts tokens as a non-negative integer that grows with the text', () => {
    fc.assert(
      fc.property(text, text, (left, right) => {
        const count = countTokens(left);
        expect(Number.isInteger(count)).toBe(true);
        expect(count).toBeGreaterThanOrEqual(0);
        // Nearly additive: joining at a space never costs more than the parts.
        expect(countTokens(`${left} ${right}`)).toBeLessThanOrEqual(count + countTokens(right));
      }),
      fuzzParameters(300),
    );
  });
});

// ---------------------------------------------------------------------------------------------

const sentence = fc
  .array(fc.oneof(fc.constantFrom(...englishWords), fc.constantFrom(...chineseWords), fc.constantFrom('3.14', '42', 'e.g.', '—', '"quoted"')), { minLength: 1, maxLength: 30 })
  .map((words) => `${words.join(' ')}${['.', '!', '?', '。', ''][words.length % 5]}`);
const paragraphText = fc.oneof(
  fc.array(sentence, { minLength: 1, maxLength: 12 }).map((sentences) => sentences.join(' ')),
  fc.constantFrom('', '   ', '\n\n'),
  fc.string({ unit: 'binary', maxLength: 120 }),
  // One sentence far longer than any chunk: the only text ever cut inside.
  fc.constantFrom('word '.repeat(900), '汉字'.repeat(700), `${'x'.repeat(3_000)} end.`),
);
const cell = fc.oneof(fc.constantFrom(...englishWords, ...chineseWords, '', ' ', '12.5', 'a\nb'), fc.string({ maxLength: 8 }));
const page = fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined });

const block: fc.Arbitrary<DocumentBlock> = fc.oneof(
  fc.record({ kind: fc.constant('heading' as const), level: fc.integer({ min: 1, max: 6 }), text: fc.oneof(sentence, fc.constant(''), fc.constant('x '.repeat(400))), page }),
  fc.record({ kind: fc.constant('paragraph' as const), text: paragraphText, page }),
  fc.record({ kind: fc.constant('paragraph' as const), text: paragraphText, page }),
  fc.record({ kind: fc.constant('code' as const), text: fc.array(sentence, { maxLength: 8 }).map((lines) => lines.join('\n')), page }),
  fc.record({
    kind: fc.constant('table' as const),
    // Cells are short against the smallest budget, so no single row exceeds a chunk.
    rows: fc.integer({ min: 1, max: 4 }).chain((columns) => fc.array(fc.array(cell, { minLength: columns, maxLength: columns }), { maxLength: 30 })),
    hasHeader: fc.boolean(),
    caption: fc.option(fc.constantFrom('Table 1', '表 1: 结果', 'Results by quarter'), { nil: undefined }),
    page,
  }),
);

const structuredDocument: fc.Arbitrary<StructuredDocument> = fc.record({
  format: fc.constantFrom('markdown' as const, 'pdf' as const, 'docx' as const, 'html' as const),
  title: fc.option(fc.oneof(sentence, fc.constant('')), { nil: undefined }),
  blocks: fc.array(block, { maxLength: 25 }),
  metadata: fc.constant({}),
});

const chunkOptions = fc
  .integer({ min: 64, max: 600 })
  .chain((maxTokens) => fc.record({ maxTokens: fc.constant(maxTokens), overlapTokens: fc.integer({ min: 0, max: Math.floor(maxTokens / 2) }) }));

describe('chunker properties', () => {
  it('cuts any document into in-budget chunks whose content is exactly a slice of the plain text, losing none of it', () => {
    fc.assert(
      fc.property(structuredDocument, chunkOptions, (document, options) => {
        const plain = renderPlainText(document);
        const chunks = chunkDocument(document, options);
        let previousStart = -1;
        chunks.forEach((chunk, index) => {
          expect(chunk.index).toBe(index);
          expect(chunk.content).toBe(plain.slice(chunk.startOffset, chunk.endOffset));
          expect(chunk.content.trim().length).toBeGreaterThan(0);
          expect(chunk.text).toContain(chunk.content);
          expect(chunk.tokenCount).toBe(countTokens(chunk.text));
          expect(chunk.tokenCount).toBeLessThanOrEqual(options.maxTokens);
          expect(chunk.startOffset).toBeGreaterThanOrEqual(previousStart);
          expect(chunk.pages).toEqual([...new Set(chunk.pages)].sort((a, b) => a - b));
          previousStart = chunk.startOffset;
        });
        // Every visible character outside headings (which travel in the heading path) is in a chunk.
        const covered = new Uint8Array(plain.length);
        for (const chunk of chunks) covered.fill(1, chunk.startOffset, chunk.endOffset);
        for (const laidOut of layoutPlainText(document).blocks) {
          if (laidOut.block.kind === 'heading') continue;
          for (let offset = laidOut.start; offset < laidOut.end; offset += 1) {
            if (!/\s/u.test(plain[offset]!) && covered[offset] === 0) {
              throw new Error(`character ${offset} (${JSON.stringify(plain.slice(offset, offset + 20))}) is in no chunk`);
            }
          }
        }
        expect(chunkDocument(document, options)).toEqual(chunks);
      }),
      fuzzParameters(80),
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('BM25 invariants', () => {
  const corpus = fc.integer({ min: 1, max: 1_000_000 }).chain((chunkCount) => fc.record({ chunkCount: fc.constant(chunkCount), documentFrequency: fc.integer({ min: 1, max: chunkCount }) }));
  const lengths = fc.record({ chunkLength: fc.integer({ min: 1, max: 10_000 }), averageLength: fc.double({ min: 1, max: 10_000, noNaN: true }) });
  const parameters = fc.record({ k1: fc.double({ min: 0.1, max: 3, noNaN: true }), b: fc.double({ min: 0, max: 1, noNaN: true }) });

  it('gives every matching term a positive IDF that falls as the term gets commoner', () => {
    fc.assert(
      fc.property(corpus, ({ chunkCount, documentFrequency }) => {
        const idf = inverseDocumentFrequency(chunkCount, documentFrequency);
        expect(Number.isFinite(idf)).toBe(true);
        expect(idf).toBeGreaterThan(0);
        if (documentFrequency < chunkCount) expect(inverseDocumentFrequency(chunkCount, documentFrequency + 1)).toBeLessThan(idf);
      }),
      fuzzParameters(500),
    );
  });

  it('rewards repetition with diminishing, bounded returns and penalises length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), lengths, parameters, (termFrequency, { chunkLength, averageLength }, bm25) => {
        const weight = termFrequencyWeight(termFrequency, chunkLength, averageLength, bm25);
        expect(Number.isFinite(weight)).toBe(true);
        expect(weight).toBeGreaterThan(0);
        expect(weight).toBeLessThan(bm25.k1 + 1);
        const more = termFrequencyWeight(termFrequency + 1, chunkLength, averageLength, bm25);
        expect(more).toBeGreaterThan(weight);
        // Diminishing returns: the next occurrence adds less than this one did.
        if (termFrequency > 1) expect(more - weight).toBeLessThanOrEqual(weight - termFrequencyWeight(termFrequency - 1, chunkLength, averageLength, bm25) + 1e-12);
        // A longer chunk with the same count scores no higher (strictly lower when b > 0).
        expect(termFrequencyWeight(termFrequency, chunkLength + 1, averageLength, bm25)).toBeLessThanOrEqual(weight);
      }),
      fuzzParameters(500),
    );
  });

  it('ranks a chunk that repeats every query term above one that mentions them once, at equal length', () => {
    fc.assert(
      fc.property(asciiWords, fc.integer({ min: 2, max: 5 }), (query, repeat) => {
        const queryTerms = analyzeQuery(query);
        fc.pre(queryTerms.length > 0);
        const filler = 'zzfill';
        const queryLength = analyzeText(query).length;
        const once = termFrequencies(`${query} ${`${filler} `.repeat((repeat - 1) * queryLength * 2)}`);
        const often = termFrequencies(`${query} `.repeat(repeat) + `${filler} `.repeat((repeat - 1) * queryLength));
        const averageLength = (once.length + often.length) / 2;
        const score = (frequencies: ReturnType<typeof termFrequencies>) =>
          queryTerms.reduce((sum, term) => sum + term.frequency * inverseDocumentFrequency(2, 2) * termFrequencyWeight(frequencies.terms.get(term.term) ?? 0, frequencies.length, averageLength, defaultBm25Parameters), 0);
        expect(often.length).toBe(once.length);
        expect(score(often)).toBeGreaterThan(score(once));
      }),
      fuzzParameters(200),
    );
  });
});
