/**
 * Entities named by a chunk's headings. The outermost heading is the document's title, and a short
 * title names the document's topic as a whole: "Haymo of Faversham", "Lilu (mythology)", "赵鹏",
 * "2009年马其顿总统选举" — encyclopaedia articles, product pages and news items all open that way.
 * Such a title becomes an entity of every chunk under it even when the chunk never repeats it in
 * full, which is what links a passage to questions and passages that name its topic (the bridge of
 * a two-hop question is usually the title of the second passage).
 *
 * A title is taken whole only when it is short and not a sentence (at most `maxTitleWords` words or
 * `maxTitleHanCharacters` Han characters, no closing sentence punctuation): a long headline is a
 * statement, not a name. A trailing disambiguation in brackets ("(film)", "（歌手）") is not part of
 * the name. Every heading, title or section, also contributes the names the text extractor finds
 * in it ("Career at Google" → Google), but not its capitalised first word alone ("Early life").
 */
import type { EntityType } from './extracted-entity.js';
import { normalizeEntityName } from './normalize-entity-name.js';
import { textEntityCandidates } from './text-entity-candidates.js';

export interface HeadingEntityName {
  readonly name: string;
  readonly type: EntityType;
}

const maxTitleWords = 8;
const maxTitleHanCharacters = 20;
const trailingDisambiguation = /\s*[(（][^()（）]{1,40}[)）]\s*$/u;
const sentenceEnd = /[.!?。！？:：;；]$/u;
const hanCharacters = /\p{Script=Han}/gu;
const letter = /\p{L}/u;

/** The title as a name, or undefined when it reads as a sentence or a headline. */
export function titleAsName(heading: string): string | undefined {
  const name = heading.replace(/\s+/g, ' ').trim().replace(trailingDisambiguation, '').trim();
  if (!letter.test(name) || sentenceEnd.test(name)) return undefined;
  const hanCount = name.match(hanCharacters)?.length ?? 0;
  const words = name.replace(hanCharacters, ' ').trim().split(' ').filter((word) => word.length > 0);
  if (hanCount > maxTitleHanCharacters || words.length > maxTitleWords) return undefined;
  return name;
}

/** The names of the headings, outermost first, each normalised name once. */
export function headingEntityNames(headings: readonly string[]): HeadingEntityName[] {
  const names: HeadingEntityName[] = [];
  const seen = new Set<string>();
  const add = (name: string, type: EntityType): void => {
    const key = normalizeEntityName(name);
    if (key.length === 0 || seen.has(key)) return;
    seen.add(key);
    names.push({ name, type });
  };
  headings.forEach((heading, level) => {
    if (level === 0) {
      const title = titleAsName(heading);
      if (title !== undefined) add(title, 'other');
    }
    for (const candidate of textEntityCandidates(heading)) {
      // A heading's first word is capitalised by convention, not because it is a name ("Early life").
      if (candidate.start === 0 && !/\s/u.test(candidate.name.trim()) && candidate.type === 'other') continue;
      add(candidate.name, candidate.type);
    }
  });
  return names;
}
