/**
 * Shortens text to a length limit at the last sentence end that fits, so a stored description
 * reads as whole sentences; failing that at the last space, and only then mid-word (Chinese and
 * Japanese text has no spaces, so there the cut falls at a sentence end or at the limit).
 */

// Chinese and Japanese sentence ends need no following space.
const closingEnds = new Set(['。', '！', '？', '；', '\n']);
const spacedEnds = new Set(['.', '!', '?', ';', '…']);

function isSentenceEnd(text: string, index: number): boolean {
  const character = text[index] ?? '';
  if (closingEnds.has(character)) return true;
  // "3.5" and "e.g.x" are not sentence ends; a full stop before a space or the end is.
  const next = text[index + 1];
  return spacedEnds.has(character) && (next === undefined || /\s/.test(next));
}

export function truncateAtSentence(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  if (maxLength <= 0) return '';
  let end = maxLength;
  // Never split a surrogate pair: half an emoji or rare Han character is not text.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  // A boundary in the first half would throw away too much: prefer a cut at a space there.
  const earliest = Math.floor(maxLength / 2);
  for (let index = end - 1; index >= earliest; index -= 1) {
    if (isSentenceEnd(text, index)) return text.slice(0, text[index] === '\n' ? index : index + 1).trimEnd();
  }
  for (let index = end; index >= earliest; index -= 1) {
    if (/\s/.test(text[index] ?? '')) return text.slice(0, index).trimEnd();
  }
  return text.slice(0, end);
}
