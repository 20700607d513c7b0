import winkNLP, { type WinkMethods } from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let shared: WinkMethods | undefined;

/**
 * The one wink-nlp pipeline of the process, created on first use (loading the model takes tens of
 * milliseconds). Only sentence boundaries, part-of-speech tags and wink's pattern entities are
 * needed, so negation, sentiment and custom-entity stages are left out of the pipe for speed.
 */
export function getWink(): WinkMethods {
  shared ??= winkNLP(model, ['sbd', 'pos', 'ner']);
  return shared;
}
