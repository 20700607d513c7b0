/** pgvector's text form, sent as a parameter and cast with `::vector` (drivers have no vector type). */
export function vectorLiteral(vector: readonly number[]): string {
  if (!vector.every(Number.isFinite)) throw new Error('vector has a non-finite component');
  return `[${vector.join(',')}]`;
}
