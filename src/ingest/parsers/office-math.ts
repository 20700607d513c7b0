import type { XmlNode } from './xml-tree.js';
import { attributeOf, childNamed, childrenOf, nameOf, parseOrderedXml, textValue } from './xml-tree.js';

/**
 * Word stores equations as Office Math (OMML), which mammoth ignores: "the angle is θ" would
 * become "the angle is ." We rewrite each equation into a plain text run before mammoth sees the
 * document, in a linear notation close to what Word's own "linear format" shows: fractions as
 * (a)/(b), powers as x^(2), roots as √(x). Good enough to search and to read; not typesetting.
 */

const OFFICE_MATH_NAMESPACE = 'http://schemas.openxmlformats.org/officeDocument/2006/math';
const WORD_NAMESPACE = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

/** Returns `documentXml` with every equation replaced by a text run, or unchanged when it has none. */
export function replaceEquationsWithText(documentXml: string): string {
  const mathPrefix = prefixOf(documentXml, OFFICE_MATH_NAMESPACE);
  const wordPrefix = prefixOf(documentXml, WORD_NAMESPACE) ?? 'w';
  if (mathPrefix === undefined || !documentXml.includes(`<${mathPrefix}:oMath`)) return documentXml;
  const prefix = escapeRegExp(mathPrefix);
  const equation = new RegExp(`<${prefix}:oMath(?:\\s[^>]*)?>[\\s\\S]*?</${prefix}:oMath>`, 'g');
  return (
    documentXml
      .replace(equation, (xml) => {
        const linear = linearizeEquationXml(xml, mathPrefix);
        return `<${wordPrefix}:r><${wordPrefix}:t xml:space="preserve">${escapeXml(linear)}</${wordPrefix}:t></${wordPrefix}:r>`;
      })
      // A display equation's wrapper and its properties have no text left to carry.
      .replace(new RegExp(`<${prefix}:oMathParaPr>[\\s\\S]*?</${prefix}:oMathParaPr>`, 'g'), '')
      .replace(new RegExp(`</?${prefix}:oMathPara(?:\\s[^>]*)?>`, 'g'), '')
  );
}

function linearizeEquationXml(xml: string, mathPrefix: string): string {
  // The fragment needs its namespace declared to parse on its own.
  const wrapped = `<root xmlns:${mathPrefix}="${OFFICE_MATH_NAMESPACE}" xmlns:w="${WORD_NAMESPACE}">${xml}</root>`;
  try {
    return linearize(parseOrderedXml(wrapped, 'an equation', 'Word document'))
      .replace(/\s+/g, ' ')
      .trim();
  } catch {
    // An equation we cannot read must not cost the rest of the document; keep its bare characters.
    return xml.replace(/<[^>]+>/g, '');
  }
}

function linearize(nodes: readonly XmlNode[]): string {
  return nodes.map(linearizeNode).join('');
}

function linearizeNode(node: XmlNode): string {
  const name = nameOf(node);
  if (name === undefined || name.endsWith('Pr')) return ''; // property elements carry no text
  const part = (childName: string): string => {
    const child = childNamed(node, childName);
    return child === undefined ? '' : linearize(childrenOf(child));
  };
  switch (name) {
    case 't':
      return childrenOf(node)
        .map((child) => textValue(child) ?? '')
        .join('');
    case 'f':
      return `${group(part('num'))}/${group(part('den'))}`;
    case 'sSup':
      return `${part('e')}^${group(part('sup'))}`;
    case 'sSub':
      return `${part('e')}_${group(part('sub'))}`;
    case 'sSubSup':
      return `${part('e')}_${group(part('sub'))}^${group(part('sup'))}`;
    case 'sPre':
      return `_${group(part('sub'))}^${group(part('sup'))}${part('e')}`;
    case 'rad': {
      const degree = part('deg');
      return `${degree === '' ? '' : `(${degree})`}√${group(part('e'))}`;
    }
    case 'd': {
      const properties = childNamed(node, 'dPr');
      const character = (element: string, fallback: string): string => {
        const setting = properties === undefined ? undefined : childNamed(properties, element);
        return setting === undefined ? fallback : (attributeOf(setting, 'val') ?? '');
      };
      const items = childrenOf(node)
        .filter((child) => nameOf(child) === 'e')
        .map((child) => linearize(childrenOf(child)));
      return `${character('begChr', '(')}${items.join(character('sepChr', '|'))}${character('endChr', ')')}`;
    }
    case 'nary': {
      const properties = childNamed(node, 'naryPr');
      const operator = properties === undefined ? undefined : childNamed(properties, 'chr');
      const symbol = operator === undefined ? '∫' : (attributeOf(operator, 'val') ?? '∫');
      const lower = part('sub');
      const upper = part('sup');
      return `${symbol}${lower === '' ? '' : `_${group(lower)}`}${upper === '' ? '' : `^${group(upper)}`} ${part('e')}`;
    }
    case 'func':
      return `${part('fName')} ${part('e')}`;
    case 'limLow':
      return `${part('e')}_${group(part('lim'))}`;
    case 'limUpp':
      return `${part('e')}^${group(part('lim'))}`;
    case 'eqArr':
      return childrenOf(node)
        .filter((child) => nameOf(child) === 'e')
        .map((child) => linearize(childrenOf(child)))
        .join('; ');
    case 'm':
      return `[${childrenOf(node)
        .filter((child) => nameOf(child) === 'mr')
        .map((row) =>
          childrenOf(row)
            .filter((child) => nameOf(child) === 'e')
            .map((cell) => linearize(childrenOf(cell)))
            .join(', '),
        )
        .join('; ')}]`;
    default:
      // Runs, arguments, accents, bars, boxes: their text in order is the right reading.
      return linearize(childrenOf(node));
  }
}

/** Parenthesises anything longer than one symbol so that a/b+c is not misread. */
function group(text: string): string {
  const trimmed = text.trim();
  return [...trimmed].length <= 1 || /^\(.*\)$/.test(trimmed) ? trimmed : `(${trimmed})`;
}

function prefixOf(xml: string, namespace: string): string | undefined {
  return new RegExp(`xmlns:([\\w.-]+)="${escapeRegExp(namespace)}"`).exec(xml)?.[1];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
