/**
 * Sources without explicit header markup (CSV, spreadsheets, PDF tables) still usually name their
 * columns in the first row. We call it a header when that row is fully filled with labels (no
 * numbers, no dates) and the table has data below it: a cautious guess, because a wrong "header"
 * would make the chunker repeat a data row as if it named the columns.
 */
export function looksLikeHeaderRow(rows: readonly (readonly string[])[]): boolean {
  const [first, ...rest] = rows;
  if (first === undefined || rest.length === 0) return false;
  const cells = first.map((cell) => cell.trim());
  if (cells.length === 0 || cells.some((cell) => cell === '')) return false;
  return cells.every((cell) => !NUMBER_OR_DATE.test(cell));
}

const NUMBER_OR_DATE = /^[-+(]?[$€£¥]?\s?[\d.,:/%\s-]+\)?$/;
