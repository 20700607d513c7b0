/**
 * AGE returns agtype as text: JSON with type annotations such as `{…}::vertex`, `[…]::path`
 * or `1.5::numeric`. Dropping the annotations outside string literals leaves plain JSON.
 */
export function parseAgtype(text: string | null): unknown {
  if (text === null) return null;
  let json = '';
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const character = text[index]!;
    if (inString) {
      json += character;
      if (character === '\\') {
        json += text[index + 1] ?? '';
        index += 1;
      } else if (character === '"') {
        inString = false;
      }
      continue;
    }
    if (character === '"') {
      inString = true;
      json += character;
      continue;
    }
    if (character === ':' && text[index + 1] === ':') {
      // Skip the `::typename` annotation.
      index += 2;
      while (index < text.length && /[a-z_]/.test(text[index]!)) index += 1;
      index -= 1;
      continue;
    }
    json += character;
  }
  return JSON.parse(json);
}

export interface GraphVertex {
  readonly id: number;
  readonly label: string;
  readonly properties: Record<string, unknown>;
}

export interface GraphEdge extends GraphVertex {
  readonly start_id: number;
  readonly end_id: number;
}
