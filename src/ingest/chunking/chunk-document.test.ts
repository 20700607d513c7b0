import { describe, expect, it } from 'vitest';

import type { DocumentBlock, StructuredDocument } from '../../core/document.js';
import { ValidationError } from '../../core/errors.js';
import { countTokens } from '../analysis/count-tokens.js';
import { type Chunk, chunkDocument } from './chunk-document.js';
import { renderPlainText } from './render-plain-text.js';

function documentOf(blocks: DocumentBlock[], title?: string): StructuredDocument {
  return { format: 'markdown', blocks, metadata: {}, ...(title === undefined ? {} : { title }) };
}

const englishSentences = Array.from(
  { length: 40 },
  (_, index) =>
    `Sentence number ${index} explains how the knowledge graph links entities across documents in detail.`,
);

function expectOffsetsHold(document: StructuredDocument, chunks: readonly Chunk[]): void {
  const plain = renderPlainText(document);
  for (const chunk of chunks) {
    expect(plain.slice(chunk.startOffset, chunk.endOffset)).toBe(chunk.content);
    expect(chunk.text.endsWith(chunk.content)).toBe(true);
    expect(chunk.tokenCount).toBe(countTokens(chunk.text));
  }
  expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, index) => index));
}

describe('chunkDocument', () => {
  it('keeps a small document in one chunk with its heading path as context', () => {
    const document = documentOf(
      [
        { kind: 'heading', level: 1, text: 'Installation' },
        { kind: 'heading', level: 2, text: 'Linux' },
        { kind: 'paragraph', text: 'Run the installer. Then start the service.', page: 2 },
      ],
      'Rhizome Guide',
    );
    const chunks = chunkDocument(document, { maxTokens: 200, overlapTokens: 20 });
    expect(chunks).toHaveLength(1);
    const [chunk] = chunks;
    expect(chunk?.sectionPath).toEqual(['Rhizome Guide', 'Installation', 'Linux']);
    expect(chunk?.text).toBe(
      'Rhizome Guide > Installation > Linux\n\nRun the installer. Then start the service.',
    );
    expect(chunk?.content).toBe('Run the installer. Then start the service.');
    expect(chunk?.pages).toEqual([2]);
    expectOffsetsHold(document, chunks);
  });

  it('starts a new chunk at each heading and pops the path on a shallower heading', () => {
    const document = documentOf([
      { kind: 'heading', level: 1, text: 'A' },
      { kind: 'heading', level: 2, text: 'A.1' },
      { kind: 'paragraph', text: 'First section body.' },
      { kind: 'heading', level: 2, text: 'A.2' },
      { kind: 'paragraph', text: 'Second section body.' },
      { kind: 'heading', level: 1, text: 'B' },
      { kind: 'paragraph', text: 'Third section body.' },
    ]);
    const chunks = chunkDocument(document, { maxTokens: 200, overlapTokens: 0 });
    expect(chunks.map((chunk) => chunk.sectionPath)).toEqual([['A', 'A.1'], ['A', 'A.2'], ['B']]);
    expect(chunks.map((chunk) => chunk.content)).toEqual([
      'First section body.',
      'Second section body.',
      'Third section body.',
    ]);
    expectOffsetsHold(document, chunks);
  });

  it('says the title once when the first heading repeats it', () => {
    const document = documentOf(
      [
        { kind: 'heading', level: 1, text: 'Guide' },
        { kind: 'paragraph', text: 'Body.' },
      ],
      'Guide',
    );
    expect(chunkDocument(document, { maxTokens: 100, overlapTokens: 0 })[0]?.sectionPath).toEqual(['Guide']);
  });

  it('splits long paragraphs at sentence ends, stays within budget and overlaps by whole sentences', () => {
    const paragraph = englishSentences.join(' ');
    const document = documentOf([{ kind: 'paragraph', text: paragraph }], 'Doc');
    const chunks = chunkDocument(document, { maxTokens: 80, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(3);
    expectOffsetsHold(document, chunks);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(80);
      // Every chunk starts at a sentence start and ends at a sentence end.
      expect(chunk.content).toMatch(/^Sentence number \d+/);
      expect(chunk.content).toMatch(/in detail\.$/);
    }
    for (let index = 1; index < chunks.length; index += 1) {
      const previous = chunks[index - 1];
      const current = chunks[index];
      if (previous === undefined || current === undefined) throw new Error('unreachable');
      expect(current.startOffset).toBeLessThan(previous.endOffset);
      expect(current.startOffset).toBeGreaterThan(previous.startOffset);
      expect(
        previous.content.endsWith(current.content.slice(0, previous.endOffset - current.startOffset)),
      ).toBe(true);
    }
    // Every sentence is in some chunk.
    const covered = chunks.map((chunk) => chunk.content).join(' ');
    for (const sentence of englishSentences) expect(covered).toContain(sentence);
  });

  it('splits Chinese paragraphs at 。！？；', () => {
    const sentence = '知识图谱把实体和关系存储在数据库中';
    const paragraph = Array.from(
      { length: 12 },
      (_, index) => `${sentence}第${index}句${'。！？；'[index % 4]}`,
    ).join('');
    const document = documentOf([{ kind: 'paragraph', text: paragraph }]);
    const chunks = chunkDocument(document, { maxTokens: 60, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(2);
    expectOffsetsHold(document, chunks);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(60);
      expect(chunk.content).toMatch(/^知识图谱/);
      expect(chunk.content).toMatch(/[。！？；]$/);
    }
  });

  it('never splits a table row and repeats caption and header in continuation chunks', () => {
    const rows = [
      ['Name', 'Language', 'Stars'],
      ...Array.from({ length: 30 }, (_, index) => [
        `project-${index}`,
        'TypeScript and Rust',
        `${index * 100}`,
      ]),
    ];
    const document = documentOf([
      { kind: 'paragraph', text: 'The table lists projects.' },
      { kind: 'table', rows, hasHeader: true, caption: 'Projects', page: 4 },
    ]);
    const chunks = chunkDocument(document, { maxTokens: 60, overlapTokens: 10 });
    expect(chunks.length).toBeGreaterThan(2);
    expectOffsetsHold(document, chunks);
    const renderedRows = rows.map((row) => row.join(' | '));
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(60);
      for (const line of chunk.content.split('\n')) {
        if (line.startsWith('project-') || line.startsWith('Name')) expect(renderedRows).toContain(line);
      }
    }
    const tableChunks = chunks.filter((chunk) => chunk.content.includes('project-'));
    for (const chunk of tableChunks) {
      expect(chunk.text).toContain('Projects\nName | Language | Stars\n');
      expect(chunk.pages).toEqual([4]);
    }
    // Rows are not overlapped: each body row appears in exactly one chunk's content.
    for (const line of renderedRows.slice(1)) {
      expect(tableChunks.filter((chunk) => chunk.content.split('\n').includes(line))).toHaveLength(1);
    }
  });

  it('keeps an oversized row whole as the only thing allowed over budget', () => {
    const longCell = Array.from({ length: 80 }, (_, index) => `word${index}`).join(' ');
    const document = documentOf([
      {
        kind: 'table',
        rows: [
          ['key', 'value'],
          ['a', 'short'],
          ['b', longCell],
          ['c', 'short'],
        ],
        hasHeader: true,
      },
    ]);
    const chunks = chunkDocument(document, { maxTokens: 40, overlapTokens: 0 });
    expectOffsetsHold(document, chunks);
    const oversized = chunks.filter((chunk) => chunk.tokenCount > 40);
    expect(oversized).toHaveLength(1);
    expect(oversized[0]?.content).toBe(`b | ${longCell}`);
  });

  it('cuts a single sentence longer than the budget at clause punctuation or whitespace', () => {
    const runOn = Array.from({ length: 120 }, (_, index) => `clause ${index} continues`).join(', ');
    const document = documentOf([{ kind: 'paragraph', text: runOn }]);
    const chunks = chunkDocument(document, { maxTokens: 50, overlapTokens: 0 });
    expect(chunks.length).toBeGreaterThan(4);
    expectOffsetsHold(document, chunks);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(50);
  });

  it('prefers ending a chunk at a block boundary over cutting a block that fits a chunk of its own', () => {
    const first = englishSentences.slice(0, 4).join(' ');
    const second = englishSentences.slice(4, 8).join(' ');
    const document = documentOf([
      { kind: 'paragraph', text: first },
      { kind: 'paragraph', text: second },
    ]);
    const budget = countTokens(second) + 5;
    const chunks = chunkDocument(document, { maxTokens: budget, overlapTokens: 0 });
    expect(chunks.map((chunk) => chunk.content)).toEqual([first, second]);
  });

  it('merges a tiny trailing piece into the previous chunk', () => {
    const paragraph = `${englishSentences.slice(0, 3).join(' ')} Short end.`;
    const document = documentOf([{ kind: 'paragraph', text: paragraph }]);
    const budget = countTokens(paragraph);
    // Budget fits the whole paragraph exactly: "Short end." must not become its own chunk.
    const chunks = chunkDocument(document, { maxTokens: budget, overlapTokens: 0, minTokens: 10 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.content).toBe(paragraph);
  });

  it('moves the boundary back when the tiny tail cannot be merged', () => {
    const paragraph = `${englishSentences.slice(0, 6).join(' ')} Short end.`;
    const document = documentOf([{ kind: 'paragraph', text: paragraph }]);
    const sentenceTokens = countTokens(englishSentences[0] ?? '');
    const chunks = chunkDocument(document, {
      maxTokens: sentenceTokens * 3,
      overlapTokens: 0,
      minTokens: 10,
    });
    expectOffsetsHold(document, chunks);
    const last = chunks.at(-1);
    expect(last?.content.length).toBeGreaterThan('Short end.'.length);
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(sentenceTokens * 3);
  });

  it('splits code at line boundaries', () => {
    const code = Array.from({ length: 60 }, (_, index) => `  const value${index} = compute(${index});`).join(
      '\n',
    );
    const document = documentOf([{ kind: 'code', text: code, language: 'ts' }]);
    const chunks = chunkDocument(document, { maxTokens: 60, overlapTokens: 0 });
    expectOffsetsHold(document, chunks);
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(60);
      for (const line of chunk.content.split('\n'))
        expect(line).toMatch(/^\s*const value\d+ = compute\(\d+\);$/);
    }
  });

  it('collects pages of every block a chunk touches and handles empty documents', () => {
    const document = documentOf([
      { kind: 'paragraph', text: 'On page three.', page: 3 },
      { kind: 'paragraph', text: 'On page one.', page: 1 },
      { kind: 'paragraph', text: 'On page three again.', page: 3 },
      { kind: 'paragraph', text: '   ' },
    ]);
    const chunks = chunkDocument(document, { maxTokens: 100, overlapTokens: 0 });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.pages).toEqual([1, 3]);
    expect(chunkDocument(documentOf([]), { maxTokens: 100, overlapTokens: 0 })).toEqual([]);
  });

  it('rejects invalid options with a validation error', () => {
    expect(() => chunkDocument(documentOf([]), { maxTokens: 100, overlapTokens: 80 })).toThrow(
      ValidationError,
    );
    expect(() => chunkDocument(documentOf([]), { maxTokens: 0, overlapTokens: 0 })).toThrow(ValidationError);
  });

  it('holds its invariants on random documents', () => {
    // A seeded generator: the test is deterministic but covers many shapes.
    let seed = 7;
    const random = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const words = [
      'graph',
      'vector',
      'PostgreSQL',
      'index',
      'tenant',
      'internationalization',
      '知识',
      '图谱',
      '检索',
    ];
    const sentence = (): string => {
      const chinese = random() < 0.3;
      const length = 1 + Math.floor(random() * 30);
      const body = Array.from({ length }, () => pick(words)).join(chinese ? '' : ' ');
      return chinese ? `${body}${pick(['。', '！', '？', '；'])}` : `${body}${pick(['.', '!', '?'])}`;
    };
    for (let iteration = 0; iteration < 200; iteration += 1) {
      const blocks: DocumentBlock[] = Array.from(
        { length: 1 + Math.floor(random() * 8) },
        (): DocumentBlock => {
          const kind = random();
          if (kind < 0.15) return { kind: 'heading', level: 1 + Math.floor(random() * 3), text: sentence() };
          if (kind < 0.3) {
            const rows = Array.from({ length: Math.floor(random() * 12) }, () => [pick(words), sentence()]);
            return { kind: 'table', rows, hasHeader: random() < 0.5, page: 1 };
          }
          const text = Array.from({ length: 1 + Math.floor(random() * 12) }, sentence).join(' ');
          return { kind: 'paragraph', text, page: 1 + Math.floor(random() * 3) };
        },
      );
      const document = documentOf(blocks, random() < 0.5 ? 'Random' : undefined);
      const maxTokens = 16 + Math.floor(random() * 200);
      const chunks = chunkDocument(document, {
        maxTokens,
        overlapTokens: Math.floor((random() * maxTokens) / 2),
      });
      expectOffsetsHold(document, chunks);
      const plain = renderPlainText(document);
      for (const chunk of chunks) {
        if (chunk.tokenCount <= maxTokens) continue;
        // Only a single table row (with its glued caption and header) may exceed the budget.
        expect(chunk.content.includes('\n\n')).toBe(false);
        expect(chunk.content.includes(' | ')).toBe(true);
      }
      // Nothing but headings and whitespace is left out of every chunk.
      const covered = new Uint8Array(plain.length);
      for (const chunk of chunks) covered.fill(1, chunk.startOffset, chunk.endOffset);
      const headings = new Set(blocks.filter((block) => block.kind === 'heading').map((block) => block.text));
      const uncovered = [...plain]
        .map((character, offset) => (covered[offset] === 1 ? '\u0000' : character))
        .join('')
        .split('\u0000')
        .flatMap((piece) => piece.split('\n\n'))
        .map((piece) => piece.trim())
        .filter((piece) => piece.length > 0 && !headings.has(piece));
      expect(uncovered).toEqual([]);
    }
  });
});
