import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let shared: Jieba | undefined;

/**
 * The one jieba segmenter of the process. Loading the dictionary takes a few hundred milliseconds
 * and tens of megabytes, so it happens once, on first use, and ingestion and query analysis share it.
 */
export function getJieba(): Jieba {
  shared ??= Jieba.withDict(dict);
  return shared;
}
