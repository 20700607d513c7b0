import pg from 'pg';

const int8Oid = 20;

/**
 * node-postgres returns bigint (int8) as a string because it can exceed 2^53. Our bigints are
 * identity ids, counts and AGE graph ids (label id << 48 | sequence), all far below 2^53, so both
 * drivers parse them as numbers; a value that would lose precision fails loudly instead.
 */
export const integerTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === int8Oid && format !== 'binary') {
      return (value: string) => {
        const parsed = Number(value);
        if (!Number.isSafeInteger(parsed)) throw new RangeError(`bigint ${value} exceeds the safe integer range`);
        return parsed;
      };
    }
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;
