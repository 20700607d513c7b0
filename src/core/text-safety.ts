/**
 * PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone UTF-16 surrogate: such strings
 * fail deep inside a query (a 500) instead of at the boundary. Input from clients is refused where
 * it arrives (`findUnsafeText`); text extracted from documents is cleaned (`cleanText`), because a
 * document is what it is and one stray byte must not lose the rest of it.
 */
// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const unsafePattern = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unsafePatternGlobal = new RegExp(unsafePattern.source, 'g');

export function isSafeText(value: string): boolean {
  return !unsafePattern.test(value);
}

/** Removes NULs and replaces lone surrogates with U+FFFD. */
export function cleanText(value: string): string {
  if (isSafeText(value)) return value;
  return value.replace(unsafePatternGlobal, (match) => (match === '\u0000' ? '' : '\uFFFD'));
}

/**
 * The dotted path of the first string (or object key) in `value` that holds a NUL or a lone
 * surrogate, or undefined. Iterative, and bounded by `maxNodes`, so hostile nesting costs little.
 */
export function findUnsafeText(value: unknown, root: string, maxNodes = 100_000): string | undefined {
  const stack: [unknown, string][] = [[value, root]];
  let visited = 0;
  while (stack.length > 0 && visited < maxNodes) {
    const [current, path] = stack.pop()!;
    visited += 1;
    if (typeof current === 'string') {
      if (!isSafeText(current)) return path;
    } else if (ArrayBuffer.isView(current)) {
      continue; // raw bytes (an octet-stream body) are not text
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push([item, `${path}.${index}`]));
    } else if (current !== null && typeof current === 'object') {
      for (const [key, item] of Object.entries(current as Record<string, unknown>)) {
        if (!isSafeText(key)) return `${path}.${cleanText(key)}`;
        stack.push([item, `${path}.${key}`]);
      }
    }
  }
  return undefined;
}
