/**
 * A 32-bit FNV-1a hash finished with murmur3's avalanche step. FNV-1a alone is fast but its low bits
 * mix poorly for short, similar strings ("<ab", "abc"), which are exactly what feature hashing feeds
 * it; the finaliser spreads every input bit over the output, so `hash % dimensions` and the sign bit
 * are both usable.
 */
export function featureHash(value: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index += 1) {
    hash ^= value.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
