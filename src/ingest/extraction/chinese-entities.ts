/**
 * Chinese entity candidates from jieba's part-of-speech tags: nr/nrfg/nrt (person names), ns
 * (places), nt (organisations), nz (other proper nouns). Unlike BM25 analysis, segmentation here
 * keeps jieba's HMM on: names missing from the dictionary (赵鹏, 恒大) then come out as one
 * unknown word (tag x) instead of single characters. The HMM also glues fragments together (因遇,
 * 过下), so an unknown 2–4 character word counts as a name only when the chunk uses it at least
 * twice: names recur, accidental fragments rarely do. It is a person when it starts with a common
 * surname. A proper noun followed by an organisation
 * word becomes one organisation (阿里巴巴 + 集团 → 阿里巴巴集团). Latin words inside Chinese text are
 * almost always names or terms, so a run of capitalised English words (PostgreSQL, Apache AGE) is
 * a candidate too.
 */
import { getJieba } from '../analysis/jieba-instance.js';
import type { EntityCandidate, EntityType } from './extracted-entity.js';

const tagTypes: Readonly<Record<string, EntityType>> = {
  nr: 'person',
  nrfg: 'person',
  nrt: 'person',
  ns: 'place',
  nt: 'organization',
  nz: 'other',
};

// prettier-ignore
const organizationSuffixes = new Set([
  '集团', '公司', '有限公司', '大学', '学院', '银行', '医院', '研究所', '研究院', '委员会', '协会', '基金会', '俱乐部', '队', '出版社', '电视台',
  '报社', '中学', '小学', '政府', '党', '博物馆', '实验室',
]);

// The most common Chinese surnames: enough to call most unknown two- or three-character words that
// start with one a person.
const commonSurnames = new Set(
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
);

/** Function characters the HMM sometimes glues to the end of a name ("赵鹏于"). */
const trailingFunctionCharacters = /[于的了和与在是被把也都就将从对为]+$/u;
const hanOnly = /^\p{Script=Han}+$/u;
const capitalised = /\p{Lu}/u;

export function chineseEntityCandidates(text: string, includeLatin: boolean): EntityCandidate[] {
  const tagged = getJieba().tag(text, true);
  const candidates: EntityCandidate[] = [];
  let offset = 0;
  const positions = tagged.map(({ word }) => {
    // jieba returns every character, so lengths walk the text; indexOf guards against surprises.
    const start = text.startsWith(word, offset) ? offset : Math.max(text.indexOf(word, offset), offset);
    offset = start + word.length;
    return { start, end: offset };
  });
  const unknownWordCounts = new Map<string, number>();
  for (const { word, tag } of tagged) {
    if (tag !== 'x' || !hanOnly.test(word)) continue;
    const trimmed = word.replace(trailingFunctionCharacters, '');
    unknownWordCounts.set(trimmed, (unknownWordCounts.get(trimmed) ?? 0) + 1);
  }
  for (let index = 0; index < tagged.length; index += 1) {
    const token = tagged[index];
    const position = positions[index];
    if (token === undefined || position === undefined) continue;
    if (token.tag === 'eng') {
      if (!includeLatin) continue;
      let last = index;
      // Join "Apache" + " " + "AGE": capitalised English words separated by single spaces.
      while (
        tagged[last + 1]?.word === ' ' &&
        tagged[last + 2]?.tag === 'eng' &&
        capitalised.test(tagged[last + 2]?.word ?? '')
      ) {
        last += 2;
      }
      const end = positions[last]?.end ?? position.end;
      const name = text.slice(position.start, end);
      if (capitalised.test(name) && name.length >= 2) {
        candidates.push({ name, type: 'other', start: position.start, end });
      }
      index = last;
      continue;
    }
    let type = tagTypes[token.tag];
    let end = position.end;
    if (type === undefined && token.tag === 'x' && hanOnly.test(token.word)) {
      const trimmed = token.word.replace(trailingFunctionCharacters, '');
      if (trimmed.length < 2 || trimmed.length > 4 || (unknownWordCounts.get(trimmed) ?? 0) < 2) continue;
      end = position.start + trimmed.length;
      type = commonSurnames.has(trimmed.charAt(0)) && trimmed.length <= 3 ? 'person' : 'other';
    }
    if (type === undefined || !hanOnly.test(token.word) || token.word.length < 2) continue;
    const next = tagged[index + 1];
    if (type !== 'person' || token.tag === 'nrt') {
      if (next !== undefined && organizationSuffixes.has(next.word)) {
        end = positions[index + 1]?.end ?? end;
        type = 'organization';
        index += 1;
      }
    }
    candidates.push({ name: text.slice(position.start, end), type, start: position.start, end });
  }
  return candidates;
}
