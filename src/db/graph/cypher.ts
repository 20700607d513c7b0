import type { Queryable } from '../../core/database.js';
import { ValidationError } from '../../core/errors.js';
import { parseAgtype } from './agtype.js';
import { assertColumnName, assertGraphName } from './graph-identifiers.js';

const cypherQuote = '$rhizome_cypher$';

export interface CypherOptions {
  /** Values referenced as `$name` in the query. Sent only as an agtype parameter, never inlined. */
  readonly parameters?: Record<string, unknown>;
  /** Names of the returned columns, in RETURN order. Defaults to a single `result` column. */
  readonly columns?: readonly string[];
}

/**
 * Runs one Cypher query against a graph. Values travel as one JSON object bound to `$1`, which AGE
 * reads as the agtype parameter map of a prepared statement, so quotes, `$$`, backslashes or any
 * other text in a value can never change the query. The query text itself is written by us, not
 * by users; it is wrapped in a dollar quote it may not contain.
 *
 * Use directed patterns, `(a)-[:R]->(b)`: AGE plans the undirected form as a nested loop with an
 * OR join that does not finish on a graph of modest size.
 */
export async function runCypher<Row extends Record<string, unknown> = Record<string, unknown>>(
  queryable: Queryable,
  graph: string,
  query: string,
  options: CypherOptions = {},
): Promise<Row[]> {
  assertGraphName(graph);
  const columns = options.columns ?? ['result'];
  if (columns.length === 0) {
    throw new ValidationError('A Cypher query needs at least one result column');
  }
  columns.forEach(assertColumnName);
  if (query.includes(cypherQuote)) {
    throw new ValidationError('The Cypher text contains a reserved quote marker');
  }
  const columnList = columns.map((column) => `${column} ag_catalog.agtype`).join(', ');
  const hasParameters = options.parameters !== undefined;
  const sql = `SELECT * FROM ag_catalog.cypher('${graph}', ${cypherQuote}${query}${cypherQuote}${
    hasParameters ? ', $1' : ''
  }) AS (${columnList})`;
  const result = await queryable.query<Record<string, string | null>>(
    sql,
    hasParameters ? [JSON.stringify(options.parameters)] : [],
  );
  return result.rows.map((row) => {
    const parsed: Record<string, unknown> = {};
    for (const column of columns) parsed[column] = parseAgtype(row[column] ?? null);
    return parsed as Row;
  });
}
