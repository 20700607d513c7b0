/**
 * Chinese function words: particles, pronouns, prepositions, conjunctions and question words,
 * as jieba segments them. Deliberately short: content words that look common (人, 年, 国家) carry
 * meaning in Chinese and stay; BM25's IDF already discounts frequent ones. Punctuation never
 * reaches this list because the tokenizer only hands Han runs to jieba.
 */
// prettier-ignore
export const chineseStopWords: ReadonlySet<string> = new Set([
  // particles and aspect markers
  '的', '地', '得', '之', '了', '着', '过', '吗', '呢', '吧', '啊', '呀', '哦', '嘛', '么', '呗', '哈', '所', '等', '等等',
  // pronouns and demonstratives
  '我', '你', '您', '他', '她', '它', '我们', '你们', '他们', '她们', '它们', '咱们', '自己', '这', '那', '这个', '那个', '这些',
  '那些', '这里', '那里', '这样', '那样', '此', '其', '该', '各', '每', '某',
  // prepositions and conjunctions
  '在', '于', '是', '为', '被', '把', '将', '对', '从', '向', '以', '由', '与', '及', '和', '跟', '同', '或', '或者', '而',
  '且', '并', '并且', '而且', '但', '但是', '因为', '所以', '如果', '虽然', '即', '就', '也', '都', '又', '还', '才', '则', '便',
  '即使', '以及', '对于', '关于', '通过', '按照',
  // question words: they shape a question, not its topic
  '什么', '哪', '哪里', '哪个', '哪些', '谁', '怎么', '怎样', '如何', '为什么', '多少', '几',
]);
