import { DataSource } from 'typeorm';
import { convertReturnedValues } from './returned-values';

/** A stand-in for TypeORM's MySQL driver: what it would merge, and a boolean column's conversion. */
function fakeDataSource(type: string) {
  const column = { databaseName: 'is_public', type: 'boolean' };
  const driver = {
    createGeneratedMap: (_metadata: unknown, result: unknown) => ({ merged: result }),
    prepareHydratedValue: (value: unknown, c: typeof column) => (c.type === 'boolean' ? Boolean(value) : value),
  };
  convertReturnedValues({ options: { type }, driver } as unknown as DataSource);
  const metadata = { findColumnWithDatabaseName: (name: string) => (name === column.databaseName ? column : undefined) };
  return (result: unknown) => driver.createGeneratedMap(metadata, result);
}

describe('convertReturnedValues', () => {
  it("converts the row INSERT … RETURNING gives back on the MariaDB flavour, as a read would", () => {
    const generated = fakeDataSource('mariadb');
    expect(generated({ id: 7, is_public: 1, unknown_column: 1 })).toEqual({ merged: { id: 7, is_public: true, unknown_column: 1 } });
    expect(generated({ id: 8, is_public: 0 })).toEqual({ merged: { id: 8, is_public: false } });
  });

  it('leaves a plain INSERT result (insertId, no values) and an empty one as they are', () => {
    const generated = fakeDataSource('mariadb');
    const header = { insertId: 9, affectedRows: 1 };
    expect(generated(header)).toEqual({ merged: header });
    expect(generated(undefined)).toEqual({ merged: undefined });
  });

  it('changes nothing on the mysql flavour and SQLite, which never return rows from an insert', () => {
    for (const type of ['mysql', 'better-sqlite3']) expect(fakeDataSource(type)({ is_public: 1 })).toEqual({ merged: { is_public: 1 } });
  });
});
