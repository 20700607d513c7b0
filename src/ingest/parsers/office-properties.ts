import { collapseWhitespace } from './block-collector.js';
import { allText, childrenOf, nameOf, parseOrderedXml, rootElement } from './xml-tree.js';
import type { ZipArchive } from './zip-archive.js';

const CORE_PROPERTIES = 'docProps/core.xml';

/** Dublin Core names in `docProps/core.xml` and the metadata keys we expose them under. */
const KEYS: Readonly<Record<string, string>> = {
  title: 'title',
  subject: 'subject',
  creator: 'author',
  description: 'description',
  keywords: 'keywords',
  language: 'language',
  lastModifiedBy: 'lastModifiedBy',
  created: 'created',
  modified: 'modified',
};

/**
 * The author, title and dates Office writes into every DOCX, PPTX and XLSX. Metadata is a bonus:
 * a damaged or missing properties part must not fail a document whose content is fine.
 */
export async function readOfficeProperties(
  archive: ZipArchive,
  signal?: AbortSignal,
): Promise<Record<string, string>> {
  if (!archive.has(CORE_PROPERTIES)) return {};
  let root;
  try {
    root = rootElement(
      parseOrderedXml(await archive.readText(CORE_PROPERTIES, signal), CORE_PROPERTIES, 'document'),
    );
  } catch {
    signal?.throwIfAborted();
    return {};
  }
  const properties: Record<string, string> = {};
  for (const child of root === undefined ? [] : childrenOf(root)) {
    const key = KEYS[nameOf(child) ?? ''];
    const value = collapseWhitespace(allText(child));
    if (key !== undefined && value !== '') properties[key] = value;
  }
  return properties;
}
