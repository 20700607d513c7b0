import type { XmlNode } from './xml-tree.js';
import {
  attributeOf,
  childNamed,
  childrenOf,
  descendantsNamed,
  nameOf,
  rootElement,
  textOfElements,
} from './xml-tree.js';

export interface ChartTable {
  readonly title: string | undefined;
  /** A header row (category, then one column per series) followed by one row per category. */
  readonly rows: readonly (readonly string[])[];
}

/**
 * A chart in an Office file keeps a cache of the numbers it plots. Those numbers are the chart's
 * content for a reader who cannot see it, so we turn the cache into a table: one row per category,
 * one column per series.
 */
export function chartToTable(chartXml: readonly XmlNode[]): ChartTable | undefined {
  const chartSpace = rootElement(chartXml);
  const chart = chartSpace === undefined ? undefined : childNamed(chartSpace, 'chart');
  if (chart === undefined) return undefined;
  const titleElement = childNamed(chart, 'title');
  const title =
    titleElement === undefined ? undefined : textOfElements(titleElement, 't').trim() || undefined;
  const plotArea = childNamed(chart, 'plotArea');
  const series = plotArea === undefined ? [] : descendantsNamed(childrenOf(plotArea), 'ser');
  if (series.length === 0) return title === undefined ? undefined : { title, rows: [] };

  const columns = series.map((one, index) => ({
    name: seriesName(childNamed(one, 'tx')) ?? `Series ${index + 1}`,
    categories: cachedValues(childNamed(one, 'cat') ?? childNamed(one, 'xVal')),
    values: cachedValues(childNamed(one, 'val') ?? childNamed(one, 'yVal')),
  }));
  const categories = columns.find((column) => column.categories.length > 0)?.categories ?? [];
  const length = Math.max(categories.length, ...columns.map((column) => column.values.length));
  const rows: string[][] = [['Category', ...columns.map((column) => column.name)]];
  for (let index = 0; index < length; index += 1) {
    rows.push([
      categories[index] ?? String(index + 1),
      ...columns.map((column) => column.values[index] ?? ''),
    ]);
  }
  return { title, rows };
}

function seriesName(tx: XmlNode | undefined): string | undefined {
  if (tx === undefined) return undefined;
  const name = (cachedValues(tx)[0] ?? textOfElements(tx, 'v')).trim();
  return name === '' ? undefined : name;
}

/** The `<c:pt idx="n"><c:v>…</c:v></c:pt>` points of a string or number cache, by index. */
function cachedValues(reference: XmlNode | undefined): string[] {
  if (reference === undefined) return [];
  const values: string[] = [];
  for (const point of descendantsNamed([reference], 'pt')) {
    const index = Number(attributeOf(point, 'idx') ?? values.length);
    const value = childrenOf(point).find((child) => nameOf(child) === 'v');
    values[Number.isInteger(index) && index >= 0 && index < 100_000 ? index : values.length] =
      value === undefined ? '' : textOfElements(value, 'v');
  }
  return Array.from(values, (value) => value ?? '');
}
