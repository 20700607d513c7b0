/** Entity candidates of one text: quoted titles, then the English and Chinese passes. */
import { detectLanguage } from '../analysis/detect-language.js';
import { chineseEntityCandidates } from './chinese-entities.js';
import { englishEntityCandidates } from './english-entities.js';
import type { EntityCandidate } from './extracted-entity.js';
import { quotedEntityCandidates } from './quoted-entities.js';

const hanCharacter = /\p{Script=Han}/u;
const latinLetter = /\p{Script=Latin}/u;

export function textEntityCandidates(text: string): EntityCandidate[] {
  const language = detectLanguage(text);
  const candidates: EntityCandidate[] = quotedEntityCandidates(text);
  const runEnglish = language !== 'zh' && latinLetter.test(text);
  if (runEnglish) candidates.push(...englishEntityCandidates(text));
  // In Chinese-dominant text, English names are found by the Chinese pass (wink would misread it).
  if (hanCharacter.test(text)) candidates.push(...chineseEntityCandidates(text, !runEnglish));
  return candidates;
}
