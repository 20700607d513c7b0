/**
 * Descriptions of one entity (or relation) gathered from several answers or chunks, joined one per
 * line. The same sentence repeated with other capitalisation or spacing counts once, so gleaning
 * and re-extraction do not make descriptions grow without saying anything new.
 */
export const descriptionSeparator = '\n';

function descriptionKey(description: string): string {
  return description.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** The distinct lines of `descriptions`, in order of first appearance. */
export function distinctDescriptions(descriptions: Iterable<string | undefined>): string[] {
  const seen = new Set<string>();
  const distinct: string[] = [];
  for (const description of descriptions) {
    // A stored description may already be several joined ones: each line is compared on its own.
    for (const line of (description ?? '').split(descriptionSeparator)) {
      const trimmed = line.trim();
      const key = descriptionKey(trimmed);
      if (key === '' || seen.has(key)) continue;
      seen.add(key);
      distinct.push(trimmed);
    }
  }
  return distinct;
}

export function joinDistinctDescriptions(descriptions: Iterable<string | undefined>): string {
  return distinctDescriptions(descriptions).join(descriptionSeparator);
}
