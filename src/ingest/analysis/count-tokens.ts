/**
 * A language-aware estimate of how many tokens an embedding or chat model's tokenizer will see,
 * for the chunker's budget. No real tokenizer is bundled: the models behind the embedding port vary
 * (BPE for OpenAI/Qwen, WordPiece for BERT-likes), and a budget only needs an estimate that errs a
 * little high.
 *
 * The estimate is a sum over pieces, so it is (nearly) additive: the chunker can add up its
 * sentences instead of re-counting a growing chunk.
 * - A CJK character (Han, kana, Hangul) counts 1: BERT-Chinese tokenizes per character, and BPE
 *   vocabularies spend 0.7–1.5 tokens on one.
 * - A word of letters counts 1 up to 8 characters, then one more per 4 characters: common words are
 *   single tokens, long and rare ones split into word pieces, and a 200-character blob costs about
 *   50, as BPE would charge it. On HotpotQA passages this gives 1.37 tokens per whitespace-separated
 *   word (punctuation included) and 4.5 characters per token, between the usual rules of thumb for
 *   English ("words × 1.3", "characters ÷ 4").
 * - A run of digits counts one per 3 digits (BPE vocabularies split numbers into groups of three).
 * - Any other visible character (punctuation, symbols) counts 1; whitespace counts 0.
 */
const piecePattern =
  /([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])|(\p{Nd}+)|((?:(?![\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])[\p{L}\p{M}])+)|(\S)/gu;

export function countTokens(text: string): number {
  let tokens = 0;
  for (const match of text.matchAll(piecePattern)) {
    if (match[1] !== undefined) tokens += 1;
    else if (match[2] !== undefined) tokens += Math.ceil(match[2].length / 3);
    else if (match[3] !== undefined) tokens += wordTokens(match[3].length);
    else tokens += 1;
  }
  return tokens;
}

function wordTokens(length: number): number {
  return length <= 8 ? 1 : 1 + Math.ceil((length - 8) / 4);
}
