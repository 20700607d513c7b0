/**
 * How often an entity is mentioned in a chunk. A chat model names an entity once however often the
 * text mentions it, but the graph weighs entities by mentions (as the offline extractor counts
 * them), so the names the model gave are searched for in the text.
 */

// Scripts that separate words with spaces: there a name must not match inside a longer word
// ("AGE" in "page"). Chinese and Japanese have no spaces, so there any occurrence counts.
const spacedScript = /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{N}]/u;
const regexSyntax = /[.*+?^${}()|[\]\\]/g;

function occurrences(haystack: string, name: string): number {
  const characters = [...name];
  const first = characters[0];
  const last = characters.at(-1);
  if (first === undefined || last === undefined) return 0;
  const before = spacedScript.test(first) ? '(?<![\\p{L}\\p{N}])' : '';
  const after = spacedScript.test(last) ? '(?![\\p{L}\\p{N}])' : '';
  const body = name.replace(regexSyntax, '\\$&').replace(/\s+/g, '\\s+');
  return [...haystack.matchAll(new RegExp(`${before}${body}${after}`, 'gu'))].length;
}

/**
 * Occurrences, ignoring case, of the most frequent of `names` (the forms one entity was given
 * under; counting the most frequent rather than the sum keeps "Beatles" inside "The Beatles" from
 * counting twice). At least 1: the model found the entity, even if under a form the text lacks.
 */
export function countMentions(text: string, names: Iterable<string>): number {
  const haystack = text.normalize('NFKC').toLowerCase();
  let most = 0;
  for (const name of names) {
    const needle = name.normalize('NFKC').toLowerCase().trim();
    if (needle !== '') most = Math.max(most, occurrences(haystack, needle));
  }
  return Math.max(1, most);
}
