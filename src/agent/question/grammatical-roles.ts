import { getWink } from '../../ingest/extraction/wink-instance.js';

/**
 * Who did what to whom. A "who" question asks for one participant of its verb: the doer ("Who
 * wrote the first program?" — the agent) or the one it was done to ("Whom did Ada Lovelace
 * marry?", "Who was born in London?" — the patient). A sentence that holds the answer names both
 * participants, often as names of the same kind, so picking the name nearest to the question's
 * words picks the wrong one half of the time ("Ada Lovelace wrote the first program for the engine
 * designed by Charles Babbage"). This module reads the roles from wink-nlp's part-of-speech tags
 * and lemmas: the verb is matched by lemma (wrote = written = write), its voice from the auxiliary
 * before it (was written → passive, whose agent follows "by"), and the participant found to its
 * left (skipping appositions and relative pronouns) or right. English only; anything it cannot
 * read returns null and the caller falls back to its other span finders.
 */
export type ParticipantRole = 'agent' | 'patient';

export interface RoleQuery {
  /** Lemma of the question's main verb ("wrote" → "write"). */
  readonly verbLemma: string;
  /** Which participant of that verb the question asks for. */
  readonly wanted: ParticipantRole;
}

export interface RoleSpan {
  readonly text: string;
  /** Offset in the sentence. */
  readonly start: number;
  /** The participant is a personal pronoun ("He wrote…"): the passage's subject stands for it. */
  readonly pronoun: boolean;
}

interface Token {
  readonly value: string;
  readonly lower: string;
  readonly pos: string;
  readonly lemma: string;
  readonly start: number;
  readonly end: number;
}

const nameConnectors = new Set(['of', 'de', 'da', 'del', 'della', 'di', 'von', 'van', 'der', 'la', 'le', 'du', '&', 'y']);
const personalPronouns = new Set(['he', 'she', 'they', 'him', 'her', 'them', 'i', 'we']);
const relativePronouns = new Set(['who', 'which', 'that', 'whom']);
const passiveAuxiliaries = new Set(['be', 'get']);
/** Tagged sentences by text: the same passages come back question after question. */
const tokenCache = new Map<string, readonly Token[]>();
const tokenCacheLimit = 5_000;

function tokensOf(text: string): readonly Token[] {
  const cached = tokenCache.get(text);
  if (cached) return cached;
  const wink = getWink();
  const its = wink.its;
  const document = wink.readDoc(text);
  const items = document.tokens();
  const values = items.out(its.value) as string[];
  const pos = items.out(its.pos) as string[];
  // wink types `its.lemma` with the model add-ons it needs; at run time `out` accepts it like any other.
  const lemmas = items.out(its.lemma as unknown as typeof its.value) as string[];
  const spaces = items.out(its.precedingSpaces) as string[];
  const tokens: Token[] = [];
  let cursor = 0;
  values.forEach((value, index) => {
    // wink's tokenisation is lossless: spaces + value walk the text (indexOf guards a normalised token).
    let start = cursor + (spaces[index]?.length ?? 0);
    if (!text.startsWith(value, start)) {
      const found = text.indexOf(value, cursor);
      start = found === -1 ? start : found;
    }
    tokens.push({ value, lower: value.toLowerCase(), pos: pos[index] ?? 'X', lemma: (lemmas[index] ?? value).toLowerCase(), start, end: start + value.length });
    cursor = start + value.length;
  });
  if (tokenCache.size >= tokenCacheLimit) tokenCache.delete(tokenCache.keys().next().value!);
  tokenCache.set(text, tokens);
  return tokens;
}

const isVerb = (token: Token | undefined) => token?.pos === 'VERB';
const isWord = (token: Token | undefined) => token !== undefined && token.pos !== 'PUNCT';

/** The question's verb and the participant it asks for, or null when it asks for neither ("Who is X?"). */
export function roleQuery(question: string): RoleQuery | null {
  const tokens = tokensOf(question.trim()).filter(isWord);
  const at = tokens.findIndex((token) => token.lower === 'who' || token.lower === 'whom');
  if (at < 0) return null;
  const after = tokens.slice(at + 1);
  const verbAfter = after.find((token) => isVerb(token));
  const endsWithBy = tokens.at(-1)?.lower === 'by';
  // "…written by whom?": the agent of the verb before "by".
  if (tokens[at - 1]?.lower === 'by') {
    const verb = tokens.slice(0, at).findLast((token) => isVerb(token));
    return verb ? { verbLemma: verb.lemma, wanted: 'agent' } : null;
  }
  // "Ada Lovelace married whom?": the patient of the verb before.
  if (at > 0 && isVerb(tokens[at - 1])) return { verbLemma: tokens[at - 1]!.lemma, wanted: 'patient' };
  if (at !== 0 || !verbAfter) return null;
  const next = after[0]!;
  // "Who did Ada Lovelace marry?": the question's subject is the agent; it asks for the patient.
  if (next.pos === 'AUX' && next.lemma === 'do') return { verbLemma: verbAfter.lemma, wanted: endsWithBy ? 'agent' : 'patient' };
  if (next.pos === 'AUX' && passiveAuxiliaries.has(next.lemma)) {
    // "Who was the first program written by?": passive with the agent asked for at the end.
    if (endsWithBy) return { verbLemma: verbAfter.lemma, wanted: 'agent' };
    // "Who was born in London?" / "Who was elected president?": the subject of a passive verb.
    const between = after.slice(1, after.indexOf(verbAfter));
    const passive = !verbAfter.lower.endsWith('ing') && between.every((token) => token.pos === 'ADV' || token.pos === 'PART');
    if (passive) return { verbLemma: verbAfter.lemma, wanted: 'patient' };
    // "Who is X?" and "Who was the director of Y?" ask for an identity, not a participant.
    return null;
  }
  // "Who wrote…", "Who has written…", "Who will direct…".
  const leading = after.slice(0, after.indexOf(verbAfter));
  if (leading.every((token) => token.pos === 'AUX' || token.pos === 'ADV' || token.pos === 'PART')) {
    return { verbLemma: verbAfter.lemma, wanted: 'agent' };
  }
  return null;
}

/** Regular inflections of a verb: marry → marries, married, marrying; design → designs, designed. */
function regularForms(lemma: string): Set<string> {
  const stem = lemma.endsWith('e') ? lemma.slice(0, -1) : lemma;
  const forms = new Set([lemma, `${lemma}s`, `${lemma}es`, `${stem}ed`, `${stem}ing`]);
  if (/[^aeiou]y$/.test(lemma)) {
    const root = lemma.slice(0, -1);
    forms.add(`${root}ies`).add(`${root}ied`);
  }
  return forms;
}

/** The name (a run of proper nouns with connectors) ending at `last`, walking left. */
function nameEndingAt(tokens: readonly Token[], last: number): [number, number] | null {
  if (tokens[last]?.pos !== 'PROPN') return null;
  let first = last;
  while (first > 0) {
    const before = tokens[first - 1]!;
    if (before.pos === 'PROPN') first -= 1;
    else if (nameConnectors.has(before.lower) && tokens[first - 2]?.pos === 'PROPN') first -= 2;
    else break;
  }
  return [first, last];
}

/** The name starting at `first`, walking right. */
function nameStartingAt(tokens: readonly Token[], first: number): [number, number] | null {
  if (tokens[first]?.pos !== 'PROPN') return null;
  let last = first;
  while (last + 1 < tokens.length) {
    const next = tokens[last + 1]!;
    if (next.pos === 'PROPN') last += 1;
    else if (nameConnectors.has(next.lower) && tokens[last + 2]?.pos === 'PROPN') last += 2;
    else break;
  }
  return [first, last];
}

/**
 * The participant left of `index` (the verb, or its auxiliary): skip auxiliaries and adverbs, an
 * apposition or parenthesis between commas/brackets ("Ada Lovelace, Byron's daughter, wrote"), and a
 * relative pronoun with its comma ("Ada Lovelace, who wrote"); then a name or a personal pronoun.
 */
function participantBefore(tokens: readonly Token[], index: number): [number, number] | 'pronoun' | null {
  let at = index - 1;
  while (at >= 0 && (tokens[at]!.pos === 'AUX' || tokens[at]!.pos === 'ADV' || tokens[at]!.pos === 'PART')) at -= 1;
  if (at >= 0 && relativePronouns.has(tokens[at]!.lower)) {
    at -= 1;
    if (tokens[at]?.value === ',') at -= 1;
    return nameEndingAt(tokens, at);
  }
  if (tokens[at]?.value === ',' || tokens[at]?.value === ')') {
    const opener = tokens[at]!.value === ',' ? ',' : '(';
    let open = at - 1;
    while (open >= 0 && at - open <= 15 && tokens[open]!.value !== opener) open -= 1;
    if (open < 0 || tokens[open]!.value !== opener) return null;
    at = open - 1;
  }
  const token = tokens[at];
  if (!token) return null;
  if (token.pos === 'PRON' && personalPronouns.has(token.lower)) return 'pronoun';
  return nameEndingAt(tokens, at);
}

/** The participant right of `index`: the first name within a few words (articles, adjectives, one preposition). */
function participantAfter(tokens: readonly Token[], index: number, stopAtBy: boolean): [number, number] | 'pronoun' | null {
  for (let at = index + 1; at < tokens.length && at <= index + 5; at += 1) {
    const token = tokens[at]!;
    if (token.pos === 'PROPN') return nameStartingAt(tokens, at);
    if (token.pos === 'PRON' && personalPronouns.has(token.lower)) return 'pronoun';
    if (token.pos === 'PUNCT' || token.pos === 'VERB' || (stopAtBy && token.lower === 'by')) return null;
  }
  return null;
}

/**
 * The participant of the question's verb in the sentence that the question asks for, or null when
 * the sentence does not use that verb or its participant is not a name (or pronoun).
 */
export function roleSpan(query: RoleQuery, sentence: string): RoleSpan | null {
  const tokens = tokensOf(sentence);
  const forms = regularForms(query.verbLemma);
  for (const [index, token] of tokens.entries()) {
    // The tagger sometimes reads a participle as an adjective ("married William King"): a regular
    // inflection of the verb counts too.
    const sameVerb = (token.pos === 'VERB' && token.lemma === query.verbLemma) || (token.pos !== 'PROPN' && forms.has(token.lower));
    if (!sameVerb) continue;
    let auxiliary = index - 1;
    while (auxiliary >= 0 && (tokens[auxiliary]!.pos === 'ADV' || tokens[auxiliary]!.pos === 'PART')) auxiliary -= 1;
    const progressive = token.lower.endsWith('ing');
    const beforeBe = tokens[auxiliary]?.pos === 'AUX' && passiveAuxiliaries.has(tokens[auxiliary]!.lemma);
    const byFollows = tokens[index + 1]?.lower === 'by';
    // "was written by", and the reduced relative "the engine designed by Babbage".
    const passive = !progressive && (beforeBe || (byFollows && token.lower !== token.lemma));
    let found: [number, number] | 'pronoun' | null;
    if (query.wanted === 'agent') {
      if (passive) {
        const by = tokens.findIndex((candidate, at) => at > index && at <= index + 3 && candidate.lower === 'by');
        found = by < 0 ? null : participantAfter(tokens, by, false);
      } else {
        found = participantBefore(tokens, index);
      }
    } else {
      found = passive ? participantBefore(tokens, beforeBe ? auxiliary : index) : participantAfter(tokens, index, true);
    }
    if (found === 'pronoun') return { text: '', start: token.start, pronoun: true };
    if (found) {
      const start = tokens[found[0]]!.start;
      return { text: sentence.slice(start, tokens[found[1]]!.end), start, pronoun: false };
    }
  }
  return null;
}
