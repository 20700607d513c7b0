import type { HeadingBlock, StructuredDocument } from '../core/document.js';

const maximumTitleLength = 500;

// Titles that document tools write by themselves, which name nothing: "Microsoft Word - draft.docx",
// "untitled", a file name.
const placeholderTitle =
  /^(?:untitled(?:\s+document)?|document\d*|title|slide\s*\d*|microsoft\s+\w+\s+-\s+.*|.*\.(?:docx?|pdf|pptx?|xlsx?|odt|rtf|txt|tex))$/i;

// Section headings that open many documents but title none of them ("1 Introduction", "Abstract").
// Letters and roman numerals only with their dot ("IV. Results"), so that "A Brief History" stays a title.
const numberedSection = /^(?:\d+(?:\.\d+)*[.)]?|(?:[IVXLC]+|[A-Z])[.)])\s+\S/;
const genericSection =
  /^(?:abstract|summary|executive summary|introduction|contents|table of contents|preface|foreword|acknowledg(?:e)?ments?|references|appendix|摘要|目录|目錄|引言|前言|概述|参考文献)[\s:：]*$/i;

/** A title taken from a document's own metadata, unless a tool wrote it by itself. */
export function plausibleMetadataTitle(value: string | undefined): string | undefined {
  const trimmed = value?.replace(/\s+/g, ' ').trim();
  if (!trimmed || placeholderTitle.test(trimmed)) return undefined;
  return trimmed;
}

function looksLikeTitle(heading: HeadingBlock): boolean {
  const text = heading.text.trim();
  return text.length > 1 && !numberedSection.test(text) && !genericSection.test(text);
}

/**
 * The title of an indexed document: the parser's (from the file's metadata) unless it is a
 * placeholder; else the highest-level heading near the start that looks like a title rather than
 * a section ("1 Introduction", "Abstract"); else any first heading; else the file name.
 */
export function chooseDocumentTitle(document: StructuredDocument, fileName: string): string {
  const fromMetadata = plausibleMetadataTitle(document.title);
  if (fromMetadata) return fromMetadata.slice(0, maximumTitleLength);
  const headings = document.blocks.filter(
    (block): block is HeadingBlock => block.kind === 'heading' && block.text.trim() !== '',
  );
  const firstPage = headings[0]?.page;
  const nearStart = headings.filter((heading) => heading.page === undefined || heading.page === firstPage).slice(0, 20);
  const candidates = nearStart.filter(looksLikeTitle);
  if (candidates.length > 0) {
    const topLevel = Math.min(...candidates.map((heading) => heading.level));
    return candidates.find((heading) => heading.level === topLevel)!.text.trim().slice(0, maximumTitleLength);
  }
  if (headings[0]) return headings[0].text.trim().slice(0, maximumTitleLength);
  return fileName.replace(/\.[^.]+$/, '');
}
