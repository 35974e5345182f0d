/** Values from raw SQL rows, which the two drivers hand back differently. */

/** An integer column as a driver hands it back (mysql2: a string for BIGINT and COUNT(*)). */
export type RawId = number | string;
/** A datetime column as a driver hands it back (mysql2: a Date; SQLite: UTC text). */
export type RawDate = Date | string | null;

/** A datetime column: mysql2 gives a Date; SQLite the UTC text TypeORM stored. */
export function toDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(`${value.replace(' ', 'T')}Z`);
}

/** An integer column: mysql2 may give a string for BIGINT and COUNT(*); SQLite a number. */
export function toInt(value: number | string | bigint | null): number | null {
  return value === null ? null : Number(value);
}

/** A boolean column: 0/1 from both drivers (TINYINT, INTEGER), or a boolean; null reads as false. */
export function toBool(value: number | string | boolean | null): boolean {
  return Boolean(Number(value));
}
