import type { Turn } from '../graph/agent-state.js';

const englishPronoun = /\b(he|she|him|they|them|it|his|her|its|their|this|that)\b/i;
const chinesePronoun = /他们|她们|它们|他|她|它|其|该/;

/**
 * A follow-up question refers back ("When was she born?"): the reference is replaced by what the
 * previous answer was about, so retrieval searches for the right thing. Questions that stand on
 * their own are left as they are.
 */
export function rewriteWithHistory(question: string, turns: readonly Turn[]): string {
  const last = [...turns].reverse().find((turn) => !turn.notFound);
  if (!last) return question;
  const words = question.trim().split(/\s+/);
  const chinese = /\p{Script=Han}/u.test(question);
  const pronoun = chinese ? chinesePronoun.exec(question) : englishPronoun.exec(question);
  if (!pronoun || (!chinese && words.length > 12)) return question;
  const subject =
    last.shortAnswer.length > 0 && last.shortAnswer.length <= 60 && !/^(yes|no)$/i.test(last.shortAnswer)
      ? last.shortAnswer
      : last.rewritten;
  if (chinese) return question.replace(chinesePronoun, subject);
  const possessive = /^(his|her|its|their)$/i.test(pronoun[1]!) && !/^(her)$/i.test(pronoun[1]!);
  const replacement = possessive ? `${subject}'s` : subject;
  return question.replace(englishPronoun, replacement);
}
