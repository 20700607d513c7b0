/**
 * Answer scoring of DESIGN.md §4. Normalisation as SQuAD and RGB count it: Unicode width folded
 * (NFKC), lower case, punctuation and English articles removed, whitespace collapsed.
 *
 * - accuracy: the answer contains a gold answer (RGB). For Latin text the gold must match whole
 *   words ("no" is not found inside "not"); Chinese has no word boundaries and is matched as is.
 * - exact match and token F1 compare the short answer with the best gold answer; F1 counts
 *   characters for Chinese (each Han character is a token) and words otherwise.
 */
const han = /\p{Script=Han}/u;

export function normalizeAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/\[\d+\]/g, ' ')
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function answerTokens(text: string): string[] {
  const normalized = normalizeAnswer(text);
  const tokens: string[] = [];
  for (const word of normalized.split(' ')) {
    if (word.length === 0) continue;
    if (han.test(word)) {
      // Han characters one by one; a Latin or digit run inside stays one token.
      for (const piece of word.match(/\p{Script=Han}|[^\p{Script=Han}]+/gu) ?? []) tokens.push(piece);
    } else {
      tokens.push(word);
    }
  }
  return tokens;
}

export function containsAnswer(answer: string, gold: string): boolean {
  const haystack = normalizeAnswer(answer);
  const needle = normalizeAnswer(gold);
  if (needle.length === 0) return false;
  if (han.test(needle)) return haystack.replace(/ /g, '').includes(needle.replace(/ /g, ''));
  return ` ${haystack} `.includes(` ${needle} `);
}

export function exactMatch(prediction: string, gold: string): boolean {
  return normalizeAnswer(prediction) === normalizeAnswer(gold);
}

export function tokenF1(prediction: string, gold: string): number {
  const predicted = answerTokens(prediction);
  const expected = answerTokens(gold);
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const token of expected) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common += 1;
      counts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Share of the supporting passages among the cited ones (1 when none are listed). */
export function supportRecall(cited: readonly string[], supporting: readonly string[]): number {
  if (supporting.length === 0) return 1;
  const citedSet = new Set(cited);
  return supporting.filter((id) => citedSet.has(id)).length / supporting.length;
}
