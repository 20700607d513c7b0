import { describe, expect, it } from 'vitest';
import type { Citation } from '../api/types.js';
import { citationLink, highlightRange, segmentAnswer } from './citation-segments.js';

function citation(index: number, chunkId = index * 10): Citation {
  return {
    index,
    chunkId,
    documentId: '00000000-0000-4000-8000-000000000001',
    documentTitle: `Doc ${index}`,
    fileName: `doc-${index}.md`,
    pages: [index],
    sectionPath: [],
    text: `passage ${index}`,
    supported: true,
  };
}

describe('segmentAnswer', () => {
  it('turns [n] markers into citation segments between text', () => {
    const segments = segmentAnswer('Babbage designed it [1]. Lovelace wrote notes [2].', [
      citation(1),
      citation(2),
    ]);
    expect(segments.map((segment) => (segment.kind === 'text' ? segment.text : `#${segment.index}`))).toEqual(
      ['Babbage designed it ', '#1', '. Lovelace wrote notes ', '#2', '.'],
    );
    const first = segments[1];
    expect(first?.kind === 'citation' && first.citation.chunkId).toBe(10);
  });

  it('splits grouped and adjacent markers, including full-width commas', () => {
    const segments = segmentAnswer('A [1, 2][3] B [1，3]', [citation(1), citation(2), citation(3)]);
    expect(
      segments
        .filter((segment) => segment.kind === 'citation')
        .map((segment) => segment.kind === 'citation' && segment.index),
    ).toEqual([1, 2, 3, 1, 3]);
  });

  it('leaves markers with no matching citation as plain text', () => {
    const segments = segmentAnswer('See [4] and [1, 9] and [x].', [citation(1)]);
    expect(segments).toEqual([{ kind: 'text', text: 'See [4] and [1, 9] and [x].' }]);
  });

  it('handles empty text and text without markers', () => {
    expect(segmentAnswer('', [citation(1)])).toEqual([]);
    expect(segmentAnswer('no markers', [])).toEqual([{ kind: 'text', text: 'no markers' }]);
  });
});

describe('citation targets', () => {
  it('links to the document view focused on the cited chunk', () => {
    expect(citationLink(citation(2))).toBe('/documents/00000000-0000-4000-8000-000000000001?chunk=20');
  });

  it('highlights the quote inside the passage, else the whole passage', () => {
    expect(highlightRange('The engine was designed by Babbage.', 'designed by Babbage')).toEqual({
      start: 15,
      end: 34,
    });
    expect(highlightRange('The engine.', 'not in it')).toEqual({ start: 0, end: 11 });
    expect(highlightRange('The engine.', undefined)).toEqual({ start: 0, end: 11 });
  });
});
