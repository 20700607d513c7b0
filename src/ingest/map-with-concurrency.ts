import pMap from 'p-map';

/** Maps items with at most `concurrency` calls in flight, keeping the order of the results. */
export function mapWithConcurrency<Item, Result>(
  items: readonly Item[],
  concurrency: number,
  work: (item: Item, index: number) => Promise<Result>,
  signal?: AbortSignal,
): Promise<Result[]> {
  return pMap(items, work, { concurrency: Math.max(1, concurrency), ...(signal ? { signal } : {}) });
}
