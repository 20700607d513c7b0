import type { SearchResponse } from '../core/search.js';

/**
 * Human-readable search results: where each hit is, which lists found it, and the passage; then
 * the notices (nothing matched, found only by embedding, no reranker).
 */
export function printSearchResponse(response: SearchResponse): void {
  response.hits.forEach((hit, index) => {
    const lists = hit.explanation.lists.map((list) => `${list.list}#${list.rank}`).join(' ');
    const where = [hit.documentTitle || hit.fileName, hit.pages.length ? `p. ${hit.pages.join(', ')}` : '']
      .filter(Boolean)
      .join(' · ');
    process.stdout.write(
      `${index + 1}. ${where}  [${lists}]\n   ${hit.content.slice(0, 240).replace(/\s+/g, ' ')}\n`,
    );
  });
  process.stdout.write(
    `${response.hits.length} results in ${response.tookMs.toFixed(1)} ms (${response.mode}).\n`,
  );
  for (const notice of response.notices ?? []) process.stdout.write(`Note: ${notice.message}\n`);
}
