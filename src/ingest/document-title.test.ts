import { describe, expect, it } from 'vitest';
import type { DocumentBlock, StructuredDocument } from '../core/document.js';
import { chooseDocumentTitle, plausibleMetadataTitle } from './document-title.js';

const document = (blocks: DocumentBlock[], title?: string): StructuredDocument => ({
  format: 'pdf',
  blocks,
  metadata: {},
  ...(title === undefined ? {} : { title }),
});
const heading = (text: string, level = 1, page = 1): DocumentBlock => ({ kind: 'heading', text, level, page });
const paragraph = (text: string, page = 1): DocumentBlock => ({ kind: 'paragraph', text, page });

describe('chooseDocumentTitle', () => {
  it('takes the metadata title first, unless a tool wrote it', () => {
    expect(chooseDocumentTitle(document([heading('Other')], 'Attention Is All You Need'), 'paper.pdf')).toBe(
      'Attention Is All You Need',
    );
    for (const placeholder of ['Microsoft Word - draft3.docx', 'untitled', 'paper.pdf', '  ']) {
      expect(plausibleMetadataTitle(placeholder)).toBeUndefined();
      expect(chooseDocumentTitle(document([heading('A Real Title', 1)], placeholder), 'paper.pdf')).toBe('A Real Title');
    }
  });

  it('passes over numbered and generic section headings for one that looks like a title', () => {
    const blocks = [
      heading('Abstract', 2),
      paragraph('We study things.'),
      heading('1 Introduction', 1),
      heading('Graph Retrieval at Scale', 2),
      heading('2.1 Setting', 3),
    ];
    expect(chooseDocumentTitle(document(blocks), 'paper.pdf')).toBe('Graph Retrieval at Scale');
    expect(chooseDocumentTitle(document([heading('摘要', 1), heading('知识图谱检索', 1)]), 'a.pdf')).toBe('知识图谱检索');
    expect(chooseDocumentTitle(document([heading('IV. Results', 1), heading('A Brief History of Time', 1)]), 'b.pdf')).toBe(
      'A Brief History of Time',
    );
  });

  it('prefers the highest-level heading of the first page', () => {
    const blocks = [heading('Overview of the method', 2), heading('The Analytical Engine', 1), heading('Later', 1, 2)];
    expect(chooseDocumentTitle(document(blocks), 'engine.pdf')).toBe('The Analytical Engine');
  });

  it('falls back to the first heading, then to the file name', () => {
    expect(chooseDocumentTitle(document([heading('1 Introduction')]), 'paper.pdf')).toBe('1 Introduction');
    expect(chooseDocumentTitle(document([paragraph('text only')]), 'notes.final.md')).toBe('notes.final');
  });
});
