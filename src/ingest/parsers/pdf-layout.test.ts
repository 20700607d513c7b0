import { describe, expect, it } from 'vitest';
import type { PdfTextItem } from './pdf-layout.js';
import { layoutPage } from './pdf-layout.js';

/** Runs of text with a width proportional to their length, as a 10-unit font would give. */
function run(text: string, x: number, y: number, fontSize = 10): PdfTextItem {
  return { text, x, y, width: text.length * fontSize * 0.5, fontSize };
}

describe('layoutPage', () => {
  it('puts items of one line in x order whatever order the PDF stored them in', () => {
    const regions = layoutPage([run('world', 110, 700), run('Hello', 80, 700), run('again', 140, 700.5)]);
    expect(regions).toEqual([{ kind: 'text', text: 'Hello world again', fontSize: 10, lineCount: 1 }]);
  });

  it('reads a two-column page column by column, after a full-width title', () => {
    const left = Array.from({ length: 12 }, (_, index) => `Left column sentence number ${index} goes here.`);
    const right = Array.from({ length: 12 }, (_, index) => `Right column sentence number ${index} goes on.`);
    const items = [
      run('A title that spans both columns of the page, from margin to margin.', 72, 740),
      ...left.map((text, index) => run(text, 72, 700 - index * 12)),
      ...right.map((text, index) => run(text, 330, 700 - index * 12)),
    ];
    const text = layoutPage(items)
      .map((region) => (region.kind === 'text' ? region.text : ''))
      .join('\n');
    expect(text.indexOf('Left column sentence number 11')).toBeLessThan(
      text.indexOf('Right column sentence number 0'),
    );
    expect(text.indexOf('A title')).toBeLessThan(text.indexOf('Left column sentence number 0'));
    expect(text).not.toContain('goes here. Right');
  });

  it('joins wrapped Chinese lines without a space and keeps hyphenated words whole', () => {
    const chinese = layoutPage([
      run('检索增强生成把文档切成片段，再把最相关的片段', 72, 700),
      run('交给语言模型。', 72, 688),
    ]);
    expect(chinese[0]).toMatchObject({
      kind: 'text',
      text: '检索增强生成把文档切成片段，再把最相关的片段交给语言模型。',
    });

    const hyphen = layoutPage([
      run('a line long enough that it ends with multi-', 72, 700),
      run('agent systems', 72, 688),
    ]);
    expect(hyphen[0]).toMatchObject({ text: 'a line long enough that it ends with multi-agent systems' });
  });

  it('does not mistake a hanging-indent list for a table', () => {
    const regions = layoutPage([
      run('.1', 90, 600),
      run('The intent of this request is to solicit submissions in the format described', 144, 600),
      run('in this document from qualified construction managers for the project.', 144, 587),
      run('.2', 90, 560),
      run('Available information relative to the project is included in section four', 144, 560),
      run('of the project description.', 144, 547),
    ]);
    expect(regions.every((region) => region.kind === 'text')).toBe(true);
    expect(regions[0]).toMatchObject({ text: expect.stringContaining('.1 The intent of this request') });
  });
});
