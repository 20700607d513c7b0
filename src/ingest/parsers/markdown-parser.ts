import { Lexer } from 'marked';
import type { Token, Tokens } from 'marked';
import type { DocumentParser, ParserInput, ParserLimits, StructuredDocument } from '../../core/document.js';
import { BlockCollector } from './block-collector.js';
import { collectHtmlBlocks, parseHtmlFragment } from './html-to-blocks.js';
import { requireText } from './text-decoding.js';

/**
 * Markdown through marked's lexer: we want its token tree (headings, tables, code, lists), never
 * its HTML. Inline markup (emphasis, links, code spans) is reduced to its text.
 */
export const markdownParser: DocumentParser = {
  format: 'markdown',
  parse(input: ParserInput, limits: ParserLimits, signal?: AbortSignal): Promise<StructuredDocument> {
    signal?.throwIfAborted();
    const text = requireText(input, 'Markdown');
    const collector = new BlockCollector(limits.maxCharacters);
    const tokens = new Lexer({ gfm: true }).lex(text);
    collectTokens(tokens, collector);
    const title = tokens.find(
      (token): token is Tokens.Heading => token.type === 'heading' && token.depth === 1,
    );
    return Promise.resolve({
      format: 'markdown',
      ...(title === undefined ? {} : { title: inlineText(title.tokens, title.text).trim() }),
      blocks: collector.blocks,
      metadata: {},
    });
  },
};

function collectTokens(tokens: readonly Token[], collector: BlockCollector): void {
  for (const token of tokens) {
    switch (token.type) {
      case 'heading': {
        const heading = token as Tokens.Heading;
        collector.heading(inlineText(heading.tokens, heading.text), heading.depth);
        break;
      }
      case 'paragraph':
      case 'text': {
        const paragraph = token as Tokens.Paragraph | Tokens.Text;
        collector.paragraph(inlineText(paragraph.tokens, paragraph.text));
        break;
      }
      case 'code': {
        const code = token as Tokens.Code;
        collector.code(code.text, code.lang);
        break;
      }
      case 'table': {
        const table = token as Tokens.Table;
        const cellText = (cell: Tokens.TableCell): string => inlineText(cell.tokens, cell.text);
        collector.table([table.header.map(cellText), ...table.rows.map((row) => row.map(cellText))], {
          hasHeader: true,
        });
        break;
      }
      case 'list': {
        // Each item is its own paragraph: items are separate statements, and nested lists recurse.
        for (const item of (token as Tokens.List).items) collectTokens(item.tokens, collector);
        break;
      }
      case 'blockquote':
        collectTokens((token as Tokens.Blockquote).tokens, collector);
        break;
      case 'html':
        collectHtmlBlocks(parseHtmlFragment((token as Tokens.HTML).text), collector);
        break;
      default:
        // `space`, `hr` and link definitions carry no text of their own.
        break;
    }
  }
}

function inlineText(tokens: readonly Token[] | undefined, fallback: string): string {
  if (tokens === undefined) return fallback;
  return tokens
    .map((token): string => {
      switch (token.type) {
        case 'br':
          return '\n';
        case 'html':
          // Inline tags such as `<sup>` are markup; their text arrives as separate tokens.
          return '';
        case 'image':
          return (token as Tokens.Image).text;
        case 'codespan':
        case 'escape':
          return (token as Tokens.Codespan).text;
        default: {
          const withChildren = token as { tokens?: Token[]; text?: string };
          return inlineText(withChildren.tokens, withChildren.text ?? '');
        }
      }
    })
    .join('');
}
