import type { DocumentBlock, StructuredDocument } from '../../core/document.js';

/**
 * A plain-text rendering of a structured document: headings as `#`-prefixed lines (one `#` per
 * level), tables as `| a | b |` rows with a `| --- |` line under a header row, code fenced with
 * backticks, blocks separated by a blank line. Markdown-shaped because that is what language
 * models read best, but nothing beyond the structure the blocks hold: no links, no emphasis.
 */
export function renderDocumentAsText(document: Pick<StructuredDocument, 'blocks'>): string {
  return document.blocks
    .map((block, index) => {
      const previous = document.blocks[index - 1];
      // A sheet's or slide's table is captioned with the heading just above it: say it once.
      const captionRepeatsHeading =
        block.kind === 'table' && previous?.kind === 'heading' && previous.text === block.caption;
      return renderBlock(captionRepeatsHeading ? { ...block, caption: undefined } : block);
    })
    .join('\n\n');
}

export function renderBlock(block: DocumentBlock): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${block.text}`;
    case 'paragraph':
      return block.text;
    case 'code':
      return `\`\`\`${block.language ?? ''}\n${block.text}\n\`\`\``;
    case 'table': {
      const lines: string[] = [];
      if (block.caption !== undefined) lines.push(block.caption);
      for (const [index, row] of block.rows.entries()) {
        lines.push(`| ${row.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`);
        if (index === 0 && block.hasHeader) lines.push(`| ${row.map(() => '---').join(' | ')} |`);
      }
      return lines.join('\n');
    }
  }
}
