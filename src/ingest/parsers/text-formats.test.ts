import { describe, expect, it } from 'vitest';
import type { ParserLimits, StructuredDocument } from '../../core/document.js';
import { parseDocument, renderDocumentAsText } from './index.js';

const LIMITS: ParserLimits = { maxUncompressedBytes: 10 * 1024 * 1024, maxCharacters: 100_000 };

function parse(text: string, fileName: string): Promise<StructuredDocument> {
  return parseDocument({ bytes: new TextEncoder().encode(text), fileName }, LIMITS);
}

describe('Markdown', () => {
  it('keeps headings with levels, paragraphs, tables as rows and fenced code', async () => {
    const document = await parse(
      [
        '# Rhizome',
        '',
        'A **graph** of [knowledge](https://example.com) with `code`.',
        '',
        '## Tables',
        '',
        '| Name | Role |',
        '| --- | --- |',
        '| Ada | engineer |',
        '| Grace | admiral |',
        '',
        '- first item',
        '- second item',
        '',
        '```ts',
        'const answer = 42;',
        '```',
      ].join('\n'),
      'readme.md',
    );
    expect(document.title).toBe('Rhizome');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Rhizome' },
      { kind: 'paragraph', text: 'A graph of knowledge with code.' },
      { kind: 'heading', level: 2, text: 'Tables' },
      {
        kind: 'table',
        rows: [
          ['Name', 'Role'],
          ['Ada', 'engineer'],
          ['Grace', 'admiral'],
        ],
        hasHeader: true,
      },
      { kind: 'paragraph', text: 'first item' },
      { kind: 'paragraph', text: 'second item' },
      { kind: 'code', text: 'const answer = 42;', language: 'ts' },
    ]);
  });

  it('keeps Chinese text intact', async () => {
    const document = await parse(
      '# 知识图谱\n\n检索增强生成（RAG）把文档切成片段。\n\n| 名前 | 年齢 |\n| --- | --- |\n| 佐藤太郎 | 30 |\n',
      '说明.md',
    );
    expect(renderDocumentAsText(document)).toBe(
      '# 知识图谱\n\n检索增强生成（RAG）把文档切成片段。\n\n| 名前 | 年齢 |\n| --- | --- |\n| 佐藤太郎 | 30 |',
    );
  });
});

describe('HTML', () => {
  const article = (body: string): string =>
    `<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>知识图谱简介</title></head><body>${body}</body></html>`;
  const navigation =
    '<header><nav><a href="/">首页</a> <a href="/about">关于我们</a> <a href="/login">登录账户</a></nav></header>';
  const footer = '<footer><p>版权所有 © 2024 示例公司</p></footer>';

  it('keeps the main content of an article and drops the navigation around it', async () => {
    const paragraphs = Array.from(
      { length: 6 },
      (_, index) =>
        `<p>第${index + 1}段：知识图谱用节点表示实体，用边表示实体之间的关系。检索时先找到相关实体，再沿着关系扩展上下文，这样回答问题时能够引用多个来源的事实。</p>`,
    ).join('');
    const document = await parse(
      article(
        `${navigation}<main><article><h1>知识图谱简介</h1><h2>基本概念</h2>${paragraphs}</article></main>${footer}`,
      ),
      'intro.html',
    );
    const text = renderDocumentAsText(document);
    expect(document.title).toBe('知识图谱简介');
    expect(text).toContain('## 基本概念');
    expect(text).toContain('第6段：知识图谱用节点表示实体');
    for (const chrome of ['首页', '登录账户', '版权所有']) expect(text).not.toContain(chrome);
  });

  it('falls back to the body when there is no article, still without navigation', async () => {
    const document = await parse(article(`${navigation}<div>短文本。</div>${footer}`), 'short.html');
    const text = renderDocumentAsText(document);
    expect(text).toContain('短文本。');
    for (const chrome of ['首页', '登录账户', '版权所有']) expect(text).not.toContain(chrome);
  });

  it('turns tables into rows, with header cells and spanned columns kept aligned', async () => {
    const document = await parse(
      '<html><body><table><thead><tr><th>Year</th><th>Revenue</th><th>Profit</th></tr></thead>' +
        '<tbody><tr><td>2023</td><td colspan="2">not reported</td></tr><tr><td>2024</td><td>10</td><td>2</td></tr></tbody></table>' +
        '<pre><code class="language-sql">SELECT 1;</code></pre></body></html>',
      'table.html',
    );
    expect(document.blocks).toContainEqual({
      kind: 'table',
      rows: [
        ['Year', 'Revenue', 'Profit'],
        ['2023', 'not reported', ''],
        ['2024', '10', '2'],
      ],
      hasHeader: true,
    });
    expect(document.blocks).toContainEqual({ kind: 'code', text: 'SELECT 1;', language: 'sql' });
  });

  it('decodes a page in the legacy charset it declares', async () => {
    const html = '<html><head><meta charset="gbk"><title>x</title></head><body><p>中文网页</p></body></html>';
    const gbk = new Uint8Array([
      ...new TextEncoder().encode(html.slice(0, html.indexOf('中'))),
      0xd6,
      0xd0,
      0xce,
      0xc4,
      0xcd,
      0xf8,
      0xd2,
      0xb3, // 中文网页 in GBK
      ...new TextEncoder().encode(html.slice(html.indexOf('页') + 1)),
    ]);
    const document = await parseDocument({ bytes: gbk, fileName: 'gbk.html' }, LIMITS);
    expect(renderDocumentAsText(document)).toContain('中文网页');
  });
});

describe('CSV and plain text', () => {
  it('turns a CSV into one table, detecting its header and quoted commas', async () => {
    const document = await parse(
      '名前,年齢,住所\n佐藤太郎,30,"東京, 日本"\n三木英子,25,大阪\n',
      'people.csv',
    );
    expect(document.blocks).toEqual([
      {
        kind: 'table',
        rows: [
          ['名前', '年齢', '住所'],
          ['佐藤太郎', '30', '東京, 日本'],
          ['三木英子', '25', '大阪'],
        ],
        hasHeader: true,
      },
    ]);
    expect(renderDocumentAsText(document)).toContain(
      '| 名前 | 年齢 | 住所 |\n| --- | --- | --- |\n| 佐藤太郎 | 30 | 東京, 日本 |',
    );
  });

  it('reads tab-separated values too', async () => {
    const document = await parse('a\tb\n1\t2\n', 'numbers.tsv');
    expect(document.blocks[0]).toMatchObject({
      kind: 'table',
      rows: [
        ['a', 'b'],
        ['1', '2'],
      ],
    });
  });

  it('splits plain text into paragraphs at blank lines', async () => {
    const document = await parse('First paragraph,\nstill the first.\n\n\nSecond 段落。\r\n', 'notes.txt');
    expect(document.blocks).toEqual([
      { kind: 'paragraph', text: 'First paragraph,\nstill the first.' },
      { kind: 'paragraph', text: 'Second 段落。' },
    ]);
  });
});

describe('feeds', () => {
  it('reads an Atom feed: feed title, then each entry with its HTML content', async () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
      <feed xmlns="http://www.w3.org/2005/Atom">
        <title>Engineering notes</title>
        <entry>
          <title>Shipping &amp; parsing</title>
          <updated>2024-05-01T10:00:00Z</updated>
          <author><name>Ada</name></author>
          <content type="html">&lt;p&gt;We parse &lt;b&gt;every&lt;/b&gt; feed.&lt;/p&gt;&lt;h2&gt;Details&lt;/h2&gt;</content>
        </entry>
      </feed>`;
    const document = await parse(atom, 'notes.atom');
    expect(document.format).toBe('rss');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Engineering notes' },
      { kind: 'heading', level: 2, text: 'Shipping & parsing' },
      { kind: 'paragraph', text: 'Published 2024-05-01T10:00:00Z by Ada' },
      { kind: 'paragraph', text: 'We parse every feed.' },
      { kind: 'heading', level: 4, text: 'Details' },
    ]);
  });
});
