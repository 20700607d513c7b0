/**
 * Rebuilding reading order from a PDF page. A PDF stores positioned runs of text in whatever order
 * the producer wrote them, with no lines, paragraphs or tables. We rebuild them from geometry:
 *
 * - lines: runs whose baselines are within a fraction of the font size of each other;
 * - segments: within a line, runs separated by a gap wider than about one em are different cells
 *   (a word space is a quarter of an em; a table column gap is several);
 * - tables: two or more consecutive lines that each split into several segments, whose segments
 *   line up in columns, become one table; every line stays one row, so rows are never scrambled;
 * - paragraphs: the remaining lines, split where the vertical gap exceeds the usual line spacing
 *   or the font size changes;
 * - two-column pages: when a vertical gutter splits the page into two columns of prose, the left
 *   column is read before the right one, band by band between full-width lines.
 *
 * These are heuristics, tuned on invoices, receipts, reports and papers; a table without any gap
 * wider than an em between its cells reads as text lines, which is still the right words in the
 * right order.
 */

export interface PdfTextItem {
  readonly text: string;
  /** Left end of the baseline, in PDF units (y grows upwards). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly fontSize: number;
}

export type PageRegion =
  | { readonly kind: 'text'; readonly text: string; readonly fontSize: number; readonly lineCount: number }
  | { readonly kind: 'table'; readonly rows: readonly (readonly string[])[]; readonly fontSize: number };

interface Segment {
  readonly x0: number;
  readonly x1: number;
  readonly text: string;
}

interface TextLine {
  readonly y: number;
  readonly fontSize: number;
  readonly segments: readonly Segment[];
  readonly x0: number;
  readonly x1: number;
}

/** Same-line tolerance, as a fraction of the font size: superscripts sit about a third higher. */
const SAME_LINE = 0.4;
/** A horizontal gap wider than this many ems separates cells, not words. */
const CELL_GAP = 1.0;
/** A horizontal gap wider than this many ems is a word space. */
const WORD_GAP = 0.12;
/** Table rows may be spaced more loosely than text lines, but not further apart than this (ems). */
const TABLE_ROW_GAP = 2.8;

export function layoutPage(items: readonly PdfTextItem[]): PageRegion[] {
  const visible = items.filter(
    (item) => item.text.trim() !== '' && Number.isFinite(item.x) && Number.isFinite(item.y),
  );
  return readingGroups(visible).flatMap((group) => regionsOf(groupLines(group)));
}

// ---------------------------------------------------------------------------------------------
// Lines and segments

function groupLines(items: readonly PdfTextItem[]): TextLine[] {
  const sorted = [...items].sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: PdfTextItem[][] = [];
  let current: PdfTextItem[] = [];
  let baseline = Number.NaN;
  for (const item of sorted) {
    const size = Math.max(item.fontSize, current[0]?.fontSize ?? 0, 1);
    if (current.length > 0 && Math.abs(item.y - baseline) <= SAME_LINE * size) {
      current.push(item);
    } else {
      if (current.length > 0) lines.push(current);
      current = [item];
      baseline = item.y;
    }
  }
  if (current.length > 0) lines.push(current);
  return lines.map(toLine);
}

function toLine(items: readonly PdfTextItem[]): TextLine {
  const sorted = [...items].sort((a, b) => a.x - b.x);
  const fontSize = dominantFontSize(sorted);
  const segments: Segment[] = [];
  let text = '';
  let x0 = Number.NaN;
  let x1 = Number.NaN;
  let previous: PdfTextItem | undefined;
  for (const item of sorted) {
    // Some producers fake bold by drawing the same run twice, a hair apart.
    if (previous !== undefined && previous.text === item.text && Math.abs(previous.x - item.x) < 1) continue;
    const gap = previous === undefined ? 0 : item.x - x1;
    if (previous !== undefined && gap > CELL_GAP * fontSize) {
      segments.push({ x0, x1, text: text.trim() });
      text = '';
    }
    if (text === '') {
      x0 = item.x;
      x1 = item.x;
    } else if (gap > WORD_GAP * fontSize && !/\s$/.test(text) && !/^\s/.test(item.text)) {
      text += ' ';
    }
    text += item.text;
    x1 = Math.max(x1, item.x + item.width);
    previous = item;
  }
  if (text.trim() !== '') segments.push({ x0, x1, text: text.trim() });
  const first = segments[0];
  const last = segments[segments.length - 1];
  return {
    y: sorted[0]?.y ?? 0,
    fontSize,
    segments,
    x0: first?.x0 ?? 0,
    x1: last?.x1 ?? 0,
  };
}

/** The font size that carries most of the characters: a footnote mark must not decide it. */
function dominantFontSize(items: readonly PdfTextItem[]): number {
  const weights = new Map<number, number>();
  for (const item of items) {
    const size = Math.round(item.fontSize * 2) / 2;
    weights.set(size, (weights.get(size) ?? 0) + item.text.length);
  }
  let best = 0;
  let bestWeight = -1;
  for (const [size, weight] of weights) {
    if (weight > bestWeight) {
      best = size;
      bestWeight = weight;
    }
  }
  return best > 0 ? best : 10;
}

function lineText(line: TextLine): string {
  return line.segments.map((segment) => segment.text).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Tables and paragraphs

function regionsOf(lines: readonly TextLine[]): PageRegion[] {
  const regions: PageRegion[] = [];
  const leading = typicalLeading(lines);
  const textArea = {
    x0: lines.reduce((min, line) => Math.min(min, line.x0), Number.POSITIVE_INFINITY),
    x1: lines.reduce((max, line) => Math.max(max, line.x1), Number.NEGATIVE_INFINITY),
  };
  let paragraph: TextLine[] = [];
  const flushParagraph = (): void => {
    if (paragraph.length > 0) regions.push(paragraphRegion(paragraph, textArea));
    paragraph = [];
  };

  let index = 0;
  while (index < lines.length) {
    const line = lines[index];
    if (line === undefined) break;
    if (line.segments.length >= 2) {
      const end = tableRunEnd(lines, index);
      const rows = end - index >= 2 ? tableRows(lines.slice(index, end)) : undefined;
      if (rows !== undefined) {
        flushParagraph();
        regions.push({ kind: 'table', rows, fontSize: line.fontSize });
        index = end;
        continue;
      }
    }
    const previous = paragraph[paragraph.length - 1];
    if (previous !== undefined && startsNewParagraph(previous, line, leading)) flushParagraph();
    paragraph.push(line);
    index += 1;
  }
  flushParagraph();
  return regions;
}

/**
 * Where the run of table rows starting at `start` ends (exclusive). Rows are lines of several
 * segments, close together. A line or two of a single segment in about the same font size between two
 * rows (a wrapped cell, a note under a row) stays inside the table, so that it does not cut the
 * table in two.
 */
function tableRunEnd(lines: readonly TextLine[], start: number): number {
  const close = (above: TextLine, below: TextLine): boolean =>
    above.y - below.y <= TABLE_ROW_GAP * Math.max(above.fontSize, below.fontSize);
  const sameSize = (a: TextLine, b: TextLine): boolean =>
    Math.abs(a.fontSize - b.fontSize) <= 0.2 * Math.max(a.fontSize, b.fontSize);
  let end = start + 1;
  while (end < lines.length) {
    const above = lines[end - 1];
    const next = lines[end];
    if (above === undefined || next === undefined || !close(above, next)) break;
    if (next.segments.length >= 2) {
      end += 1;
      continue;
    }
    let resumesAt = -1;
    for (let lookahead = end; lookahead < Math.min(lines.length, end + 3); lookahead += 1) {
      const candidate = lines[lookahead];
      const previous = lines[lookahead - 1];
      if (candidate === undefined || previous === undefined || !close(previous, candidate)) break;
      if (!sameSize(candidate, above)) break;
      if (candidate.segments.length >= 2) {
        resumesAt = lookahead;
        break;
      }
    }
    if (resumesAt < 0) break;
    end = resumesAt + 1;
  }
  return end;
}

/** The most common baseline distance between lines of the same size: the body's line spacing. */
function typicalLeading(lines: readonly TextLine[]): Map<number, number> {
  const gapsBySize = new Map<number, number[]>();
  for (let index = 1; index < lines.length; index += 1) {
    const above = lines[index - 1];
    const below = lines[index];
    if (above === undefined || below === undefined || above.fontSize !== below.fontSize) continue;
    const gap = above.y - below.y;
    if (gap > 0.8 * below.fontSize && gap < 2 * below.fontSize) {
      gapsBySize.set(below.fontSize, [...(gapsBySize.get(below.fontSize) ?? []), gap]);
    }
  }
  const leading = new Map<number, number>();
  for (const [size, gaps] of gapsBySize) {
    const sorted = [...gaps].sort((a, b) => a - b);
    leading.set(size, sorted[Math.floor(sorted.length / 2)] ?? size * 1.2);
  }
  return leading;
}

function startsNewParagraph(previous: TextLine, line: TextLine, leading: Map<number, number>): boolean {
  const sizeRatio = line.fontSize / previous.fontSize;
  if (sizeRatio > 1.1 || sizeRatio < 0.9) return true;
  const spacing = leading.get(line.fontSize) ?? line.fontSize * 1.2;
  return previous.y - line.y > Math.max(spacing * 1.3, spacing + 0.25 * line.fontSize);
}

function paragraphRegion(lines: readonly TextLine[], textArea: Interval): PageRegion {
  let text = '';
  let previous: TextLine | undefined;
  for (const line of lines) {
    const next = lineText(line);
    if (previous === undefined) {
      text = next;
    } else if (/\p{L}-$/u.test(text) && /^\p{L}/u.test(next)) {
      // "con-" + "firming" or "multi-" + "agent": we cannot tell a hyphenation from a real hyphen,
      // so keep the hyphen and drop the line break; no letter is lost either way.
      text += next;
    } else if (isCjk(text.slice(-1)) && isCjk(next.slice(0, 1))) {
      // Chinese and Japanese put no spaces between words, so a wrapped line joins directly.
      text += next;
    } else {
      // A line that reaches the right margin wrapped because it ran out of room; one that stops
      // short ended on purpose (an address, a receipt line), and that break is worth keeping.
      const margin = Math.max(2 * previous.fontSize, 0.1 * (textArea.x1 - textArea.x0));
      text += previous.x1 >= textArea.x1 - margin ? ' ' : '\n';
      text += next;
    }
    previous = line;
  }
  return { kind: 'text', text, fontSize: dominantLineSize(lines), lineCount: lines.length };
}

function dominantLineSize(lines: readonly TextLine[]): number {
  const first = lines[0];
  return first === undefined ? 10 : first.fontSize;
}

function isCjk(character: string): boolean {
  return /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u.test(
    character,
  );
}

/**
 * Columns come from the rows with the most cells (the rows that show the full grid); every row's
 * cells are then placed in the column they overlap most. Fails (returns undefined) when the
 * segments do not line up, so that misaligned lines fall back to plain text.
 */
function tableRows(lines: readonly TextLine[]): string[][] | undefined {
  const mostCells = lines.reduce((most, line) => Math.max(most, line.segments.length), 0);
  const anchors = lines.filter((line) => line.segments.length === mostCells).flatMap((line) => line.segments);
  const columns = mergeIntervals(anchors);
  if (columns.length < 2 || columns.length > 40) return undefined;

  let rowsWithCollisions = 0;
  const rows = lines.map((line) => {
    const cells: string[] = columns.map(() => '');
    let collided = false;
    for (const segment of line.segments) {
      const column = bestColumn(segment, columns);
      if (cells[column] !== '') collided = true;
      cells[column] = cells[column] === '' ? segment.text : `${cells[column]} ${segment.text}`;
    }
    if (collided) rowsWithCollisions += 1;
    return cells;
  });
  if (rowsWithCollisions > lines.length * 0.25) return undefined;
  // Two long cells per row is prose with a hanging indent or a sidebar, not a table.
  const filled = rows.flat().filter((cell) => cell !== '');
  const averageLength = filled.reduce((sum, cell) => sum + cell.length, 0) / Math.max(1, filled.length);
  if (columns.length === 2 && averageLength > 40) return undefined;
  return rows;
}

interface Interval {
  x0: number;
  x1: number;
}

function mergeIntervals(segments: readonly Segment[]): Interval[] {
  const sorted = [...segments].sort((a, b) => a.x0 - b.x0);
  const merged: Interval[] = [];
  for (const segment of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && segment.x0 <= last.x1 + 1) last.x1 = Math.max(last.x1, segment.x1);
    else merged.push({ x0: segment.x0, x1: segment.x1 });
  }
  return merged;
}

function bestColumn(segment: Segment, columns: readonly Interval[]): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const [index, column] of columns.entries()) {
    const overlap = Math.min(segment.x1, column.x1) - Math.max(segment.x0, column.x0);
    // Overlap first; without any, the nearest column (a negative score) wins.
    const score =
      overlap > 0 ? overlap : -Math.abs((segment.x0 + segment.x1) / 2 - (column.x0 + column.x1) / 2) - 1_000;
    if (score > bestScore) {
      best = index;
      bestScore = score;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// Two-column pages

/**
 * Splits a page into groups read one after the other: normally one group, but on a page of two
 * prose columns, the bands between full-width lines, each read left column first.
 */
function readingGroups(items: readonly PdfTextItem[]): PdfTextItem[][] {
  const gutter = findGutter(items);
  if (gutter === undefined) return [items as PdfTextItem[]];
  const left = items.filter((item) => item.x + item.width <= gutter.x0 + 0.5);
  const right = items.filter((item) => item.x >= gutter.x1 - 0.5);
  const inColumn = new Set([...left, ...right]);
  const spanning = items.filter((item) => !inColumn.has(item));
  if (!isProse(left) || !isProse(right)) return [items as PdfTextItem[]];

  const cuts = [...new Set(spanning.map((item) => item.y))].sort((a, b) => b - a);
  const groups: PdfTextItem[][] = [];
  let upper = Number.POSITIVE_INFINITY;
  for (const cut of [...cuts, Number.NEGATIVE_INFINITY]) {
    const inBand = (item: PdfTextItem): boolean => item.y < upper && item.y >= cut;
    groups.push(left.filter(inBand), right.filter(inBand));
    groups.push(spanning.filter((item) => item.y === cut));
    upper = cut;
  }
  return groups.filter((group) => group.length > 0);
}

/**
 * A vertical strip between 30% and 70% of the text area's width that no run crosses (ignoring a
 * few full-width titles), at least 8 units wide.
 */
function findGutter(items: readonly PdfTextItem[]): Interval | undefined {
  if (items.length < 20) return undefined;
  // Reduced rather than spread: a dense page can hold more runs than a call has arguments.
  const minX = items.reduce((min, item) => Math.min(min, item.x), Number.POSITIVE_INFINITY);
  const maxX = items.reduce((max, item) => Math.max(max, item.x + item.width), Number.NEGATIVE_INFINITY);
  const width = maxX - minX;
  if (width < 200 || width > 10_000) return undefined;
  const buckets = new Int32Array(Math.ceil(width) + 2);
  const narrow = items.filter((item) => item.width < width * 0.6);
  if (narrow.length < items.length * 0.9) return undefined;
  for (const item of narrow) {
    const start = Math.max(0, Math.floor(item.x - minX));
    const end = Math.min(buckets.length - 1, Math.ceil(item.x + item.width - minX));
    for (let bucket = start; bucket <= end; bucket += 1) buckets[bucket] = (buckets[bucket] ?? 0) + 1;
  }
  let best: Interval | undefined;
  let runStart = -1;
  const from = Math.floor(width * 0.3);
  const to = Math.ceil(width * 0.7);
  for (let bucket = from; bucket <= to + 1; bucket += 1) {
    const empty = bucket <= to && buckets[bucket] === 0;
    if (empty && runStart < 0) runStart = bucket;
    if (!empty && runStart >= 0) {
      if (best === undefined || bucket - runStart > best.x1 - best.x0) best = { x0: runStart, x1: bucket };
      runStart = -1;
    }
  }
  if (best === undefined || best.x1 - best.x0 < 8) return undefined;
  return { x0: best.x0 + minX, x1: best.x1 + minX };
}

/** Long lines of words: a column of running text rather than a column of table cells. */
function isProse(items: readonly PdfTextItem[]): boolean {
  const lines = groupLines(items);
  if (lines.length < 5) return false;
  const characters = lines.reduce((sum, line) => sum + lineText(line).length, 0);
  return characters / lines.length >= 30;
}
