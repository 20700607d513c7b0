import { describe, expect, it } from 'vitest';
import type { ParserInput, ParserLimits } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';
import { parseDocument } from './index.js';
import { markupDepth, maxMarkupDepth } from './nesting-depth.js';
import { ParserPool } from './parser-pool.js';

/** Files built to hurt a parser: each is refused with a permanent code, quickly, or parsed fine. */

const LIMITS: ParserLimits = { maxUncompressedBytes: 10 * 1024 * 1024, maxCharacters: 1_000_000 };

function input(text: string, fileName: string): ParserInput {
  return { bytes: new TextEncoder().encode(text), fileName };
}

async function refusalCode(file: ParserInput): Promise<string> {
  const error = await parseDocument(file, LIMITS).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(DocumentError);
  return (error as DocumentError).code;
}

function nestedDivs(depth: number, text = 'deep text'): string {
  return `<!DOCTYPE html><html><head><title>Deep</title></head><body>${'<div>'.repeat(depth)}${text}${'</div>'.repeat(depth)}</body></html>`;
}

function feed(itemDescription: string, prologue = ''): string {
  return `<?xml version="1.0"?>${prologue}<rss version="2.0"><channel><title>Feed</title><link>https://example.org</link>
<description>A feed</description><item><title>Item</title><description><![CDATA[${itemDescription}]]></description></item></channel></rss>`;
}

describe('hostile documents', () => {
  it('refuses HTML nested past the bound as too complex, without building its DOM', async () => {
    // 200,000 levels blocked a server until it was killed; 1,500 for minutes.
    expect(await refusalCode(input(nestedDivs(200_000), 'abyss.html'))).toBe('document_too_complex');
    expect(await refusalCode(input(nestedDivs(1_500), 'deep.html'))).toBe('document_too_complex');
  });

  it('still parses pages nested up to the bound', async () => {
    const document = await parseDocument(input(nestedDivs(maxMarkupDepth - 10, 'The bottom of the well.'), 'ok.html'), LIMITS);
    expect(document.blocks.map((block) => ('text' in block ? block.text : '')).join(' ')).toContain('The bottom of the well.');
  });

  it('refuses deep HTML inside a feed item (the fragment path)', async () => {
    expect(await refusalCode(input(feed(nestedDivs(5_000)), 'feed.xml'))).toBe('document_too_complex');
  });

  it('refuses deeply nested XML and external entities as permanent errors', async () => {
    const deepXml = `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</channel></rss>`;
    expect(await refusalCode(input(deepXml, 'deep.xml'))).toBe('document_too_complex');
    const xxe = feed('hello', '<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>').replace(
      '<title>Item</title>',
      '<title>&secret;</title>',
    );
    expect(await refusalCode(input(xxe, 'xxe.xml'))).toBe('unsafe_document');
  });

  it('measures depth the way an HTML parser nests: void and optional-end elements do not count', () => {
    const page = `<html><body><ul>${'<li>item'.repeat(2_000)}</ul>${'<p>para<br>'.repeat(2_000)}<img src="x"><div><span>a</span></div></body></html>`;
    expect(markupDepth(page, 'html')).toBe(2);
    expect(markupDepth('<a><b/><c><d></d></c><!-- <e><f><g> --></a>', 'xml')).toBe(3);
    // Hostile scraps (unterminated tags and quotes) are scanned in one pass, not re-scanned.
    expect(markupDepth('<a "'.repeat(100_000), 'html')).toBe(0);
  });
});

describe('parser threads', () => {
  it('parse in a worker thread with the same result as in this thread, and keep error codes', async () => {
    const pool = new ParserPool({ threads: 1, timeoutMs: 60_000, memoryMb: 256 });
    try {
      const file = input('# Title\n\nSome text about Ada Lovelace.\n', 'note.md');
      expect(await pool.parse(file, LIMITS)).toEqual(await parseDocument(file, LIMITS));
      await expect(pool.parse(input(nestedDivs(100_000), 'abyss.html'), LIMITS)).rejects.toMatchObject({
        code: 'document_too_complex',
      });
      await expect(pool.parse(input('   \n', 'blank.txt'), LIMITS)).rejects.toBeInstanceOf(DocumentError);
    } finally {
      await pool.close();
    }
  });

  it('fail a document that outlives the time limit as too complex, and keep serving the next one', async () => {
    // A limit no parse can meet: the thread is terminated and the document fails permanently.
    const impatient = new ParserPool({ threads: 1, timeoutMs: 1, memoryMb: 256 });
    try {
      await expect(impatient.parse(input(nestedDivs(200), 'slow.html'), LIMITS)).rejects.toMatchObject({
        code: 'document_too_complex',
      });
    } finally {
      await impatient.close();
    }
  });

  it('fail a document that needs more memory than the limit as too complex', { timeout: 300_000 }, async () => {
    const small = new ParserPool({ threads: 1, timeoutMs: 300_000, memoryMb: 64 });
    try {
      // 1.5 million elements in 12 MB: their DOM needs far more than a 64 MB heap.
      const huge = `<html><body><p>${'<b>a</b>'.repeat(1_500_000)}</p></body></html>`;
      await expect(
        small.parse(input(huge, 'huge.html'), { ...LIMITS, maxCharacters: 100_000_000 }),
      ).rejects.toMatchObject({ code: 'document_too_complex' });
    } finally {
      await small.close();
    }
  });

  it('passes an abort from the caller through as the abort, not as a document error', async () => {
    const pool = new ParserPool({ threads: 1, timeoutMs: 60_000, memoryMb: 256 });
    try {
      const controller = new AbortController();
      const parsing = pool.parse(input(nestedDivs(200), 'slow.html'), LIMITS, controller.signal);
      controller.abort(new Error('shutting down'));
      await expect(parsing).rejects.toThrow('shutting down');
    } finally {
      await pool.close();
    }
  });
});
