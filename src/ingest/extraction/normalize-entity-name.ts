/**
 * The key under which mentions of one entity merge, within a chunk and across the whole tenant
 * graph: "The Beatles", "Beatles'" and "the  beatles" are one node. Retrieval must use this same
 * function on the entities it finds in a question.
 */
const apostrophes = /[’‘`´]/g;
const whitespace = /\s+/g;
const possessive = /'s?$/;
const leadingArticle = /^the /;
// Quotes and brackets that wrap a name but are not part of it ("“Hamlet”", "《红楼梦》").
const wrappingPunctuation =
  /^[\s"'“”«»《》〈〉「」『』()[\]{}.,;:!?。，；：！？]+|[\s"'“”«»《》〈〉「」『』()[\]{}.,;:!?。，；：！？]+$/g;

export function normalizeEntityName(name: string): string {
  let key = name.normalize('NFKC').toLowerCase().replace(apostrophes, "'").replace(whitespace, ' ');
  key = key.replace(wrappingPunctuation, '');
  key = key.replace(possessive, '').trim();
  key = key.replace(leadingArticle, '');
  return key.replace(wrappingPunctuation, '');
}
