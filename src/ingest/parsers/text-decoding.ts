import type { ParserInput } from '../../core/document.js';
import { DocumentError } from '../../core/errors.js';

/**
 * Turning bytes into text for the text formats (HTML, Markdown, CSV, plain text, RSS). We accept
 * what can be decoded without guessing: UTF-8, UTF-16 with a byte-order mark, and, for markup only,
 * the charset the document declares itself (`<meta charset>`, `<?xml encoding?>`). Anything else is
 * treated as binary rather than risk indexing mojibake.
 */
export function decodeText(bytes: Uint8Array): string | undefined {
  const decoded = decodeWithBom(bytes) ?? decodeStrict(bytes, 'utf-8') ?? decodeDeclaredCharset(bytes);
  if (decoded === undefined || looksBinary(decoded)) return undefined;
  return decoded;
}

function decodeWithBom(bytes: Uint8Array): string | undefined {
  const [first, second, third] = bytes;
  if (first === 0xef && second === 0xbb && third === 0xbf) return decodeStrict(bytes, 'utf-8');
  if (first === 0xff && second === 0xfe) return decodeStrict(bytes, 'utf-16le');
  if (first === 0xfe && second === 0xff) return decodeStrict(bytes, 'utf-16be');
  return undefined;
}

function decodeStrict(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    // TextDecoder drops a matching byte-order mark itself.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const DECLARED_CHARSET =
  /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)["']/i;

function decodeDeclaredCharset(bytes: Uint8Array): string | undefined {
  // The declaration must sit near the top and in ASCII, which latin1 reads byte for byte.
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 2048));
  if (!head.trimStart().startsWith('<')) return undefined;
  const match = DECLARED_CHARSET.exec(head);
  const charset = match?.[1] ?? match?.[2];
  if (charset === undefined) return undefined;
  return decodeStrict(bytes, charset.toLowerCase());
}

/**
 * Valid UTF-8 can still be binary (a file of NUL bytes decodes fine). Real text has almost no
 * control characters besides tab, line feed, carriage return and form feed; a stray NUL or two
 * (removed before indexing) does not make a text file binary.
 */
function looksBinary(text: string): boolean {
  const sample = text.slice(0, 65_536);
  let controlCharacters = 0;
  for (let index = 0; index < sample.length; index += 1) {
    const code = sample.charCodeAt(index);
    // Tab, line feed, vertical tab, form feed, carriage return and escape (ANSI colours) are text.
    const isControl = (code < 0x20 && (code < 0x09 || code > 0x0d) && code !== 0x1b) || code === 0x7f;
    if (isControl) controlCharacters += 1;
  }
  return controlCharacters > sample.length * 0.01;
}

/** For the text parsers: the decoded text, or `corrupt_document` when the bytes are not text. */
export function requireText(input: ParserInput, label: string): string {
  const text = decodeText(input.bytes);
  if (text === undefined) {
    throw new DocumentError(
      'corrupt_document',
      `${input.fileName} is not readable as ${label}: it is not UTF-8 or UTF-16 text (convert it to UTF-8)`,
    );
  }
  return text;
}
