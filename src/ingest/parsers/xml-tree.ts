import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DocumentError } from '../../core/errors.js';
import { assertNestingWithin } from './nesting-depth.js';

/**
 * Office and EPUB parts are XML whose element order matters (shapes on a slide, runs in a
 * paragraph), so we parse them with fast-xml-parser's `preserveOrder` tree and walk it with the few
 * helpers below. Namespace prefixes are dropped: `a:t` and `m:t` both become `t`, which is what
 * the walkers want, and the documents we read never rely on two namespaces sharing a local name
 * in the same spot.
 */
export type XmlNode = Record<string, unknown>;

const ATTRIBUTES = ':@';
const TEXT = '#text';

const orderedParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  // Keep every value a string and every space: `<a:t> serves as</a:t>` needs its leading space.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
});

/** Parses XML into an ordered tree; throws `corrupt_document` naming `partName` when malformed. */
export function parseOrderedXml(xml: string, partName: string, label: string): XmlNode[] {
  assertWellFormed(xml, partName, label);
  return parseXml(orderedParser, xml, partName, label) as XmlNode[];
}

/**
 * Runs a fast-xml-parser parser, turning its refusals into permanent document errors: external
 * entities (XXE) are never resolved, and a part nesting past the parser's limit is too complex.
 */
export function parseXml(parser: XMLParser, xml: string, partName: string, label: string): unknown {
  try {
    return parser.parse(xml) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/external entit/i.test(message)) {
      throw new DocumentError('unsafe_document', `the ${label} declares external entities in ${partName}; they are never loaded`);
    }
    if (/nested tags/i.test(message)) {
      throw new DocumentError('document_too_complex', `the ${label} nests elements too deeply in ${partName}`);
    }
    throw new DocumentError('corrupt_document', `the ${label} cannot be read: ${partName}: ${message}`);
  }
}

export function assertWellFormed(xml: string, partName: string, label: string): void {
  assertNestingWithin(xml, 'xml', label);
  if (/<!ENTITY[^>]*\b(SYSTEM|PUBLIC)\b/i.test(xml)) {
    throw new DocumentError('unsafe_document', `the ${label} declares external entities in ${partName}; they are never loaded`);
  }
  const result = XMLValidator.validate(xml);
  if (result !== true) {
    throw new DocumentError(
      'corrupt_document',
      `the ${label} is damaged: ${partName} is not well-formed XML (${result.err.msg}, line ${result.err.line})`,
    );
  }
}

export function nameOf(node: XmlNode): string | undefined {
  return Object.keys(node).find((key) => key !== ATTRIBUTES);
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const name = nameOf(node);
  if (name === undefined || name === TEXT) return [];
  const value = node[name];
  return Array.isArray(value) ? (value as XmlNode[]) : [];
}

export function attributeOf(node: XmlNode, name: string): string | undefined {
  const attributes = node[ATTRIBUTES] as Record<string, unknown> | undefined;
  const value = attributes?.[name];
  return typeof value === 'string' ? value : undefined;
}

export function childNamed(node: XmlNode, name: string): XmlNode | undefined {
  return childrenOf(node).find((child) => nameOf(child) === name);
}

export function childrenNamed(node: XmlNode, name: string): XmlNode[] {
  return childrenOf(node).filter((child) => nameOf(child) === name);
}

/** Follows a path of child names, e.g. `['nvSpPr', 'nvPr', 'ph']`. */
export function pathOf(node: XmlNode, path: readonly string[]): XmlNode | undefined {
  let current: XmlNode | undefined = node;
  for (const name of path) {
    if (current === undefined) return undefined;
    current = childNamed(current, name);
  }
  return current;
}

/** Every descendant with this name, in document order, not looking inside matches. */
export function descendantsNamed(nodes: readonly XmlNode[], name: string): XmlNode[] {
  const found: XmlNode[] = [];
  const visit = (node: XmlNode): void => {
    if (nameOf(node) === name) {
      found.push(node);
      return;
    }
    for (const child of childrenOf(node)) visit(child);
  };
  for (const node of nodes) visit(node);
  return found;
}

export function textValue(node: XmlNode): string | undefined {
  const value = node[TEXT];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Concatenated text of the descendants named `textElement` (e.g. every `t` of a paragraph). */
export function textOfElements(node: XmlNode, textElement: string): string {
  return descendantsNamed([node], textElement)
    .map((element) =>
      childrenOf(element)
        .map((child) => textValue(child) ?? '')
        .join(''),
    )
    .join('');
}

/** All character data below a node, in order. */
export function allText(node: XmlNode): string {
  const own = textValue(node);
  if (own !== undefined) return own;
  return childrenOf(node).map(allText).join('');
}

/** The top-level element of a parsed part, skipping the `<?xml?>` declaration and comments. */
export function rootElement(nodes: readonly XmlNode[]): XmlNode | undefined {
  return nodes.find((node) => {
    const name = nameOf(node);
    return name !== undefined && !name.startsWith('?') && name !== TEXT && name !== '#comment';
  });
}
