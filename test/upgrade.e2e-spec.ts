/**
 * Upgrades lose nothing (issue 21): each release's database, filled by that release's own code
 * (test/upgrade/fixtures, made by scripts/upgrade-fixtures/generate.ts), is loaded into a fresh
 * database and started with the current app, whose start-up runs the pending migrations. Then:
 * every row of every table is still there (unless a migration drops it on purpose, named in
 * test/upgrade/intended-changes.ts), the schema is the one the current entities expect, and the
 * reads the release answered (analytics over past windows, call details, the CSV export, ...)
 * answer the same at the same clock, new fields aside. On SQLite and MariaDB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from '../src/database/migrations';
import { FakeClock } from './support/clock';
import { bearer, signToken } from './support/jwt';
import { schemaDrift } from './support/schema-drift';
import { startApp, TestApp, usingMysql } from './support/test-app';
import { Difference, differences, parseCsv } from './upgrade/compare';
import { FixtureDatabase, loadFixture, Row, Snapshot } from './upgrade/fixture-database';
import { INTENDED_DROPS, INTENDED_READ_CHANGES, KNOWN_SCHEMA_DRIFT } from './upgrade/intended-changes';

const FIXTURES = join(__dirname, 'upgrade/fixtures');
const database = usingMysql ? 'mariadb' : 'sqlite';

interface RecordedRead {
  path: string;
  actor: { userId: number; stage: string; role: string };
  status: number;
  contentType: string;
  body: unknown;
}

interface Release {
  commit: string;
  date: string;
  subject: string;
  migrations: Record<string, string[]>;
}

const fixtures = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  // UPGRADE_FIXTURE=<part of a name> runs only the fixtures whose folder name holds it.
  .filter((name) => !process.env.UPGRADE_FIXTURE || name.includes(process.env.UPGRADE_FIXTURE))
  .sort();

const current = MIGRATIONS.map((migration) => migration.name);

/** Every row of `before` in `after` (same values in the columns both have), counted as a multiset. */
function missingRows(before: { columns: string[]; rows: Row[] }, after: { columns: string[]; rows: Row[] }): Row[] {
  const kept = before.columns.filter((column) => after.columns.includes(column));
  const key = (row: Row) => JSON.stringify(kept.map((column) => row[column]));
  const left = new Map<string, number>();
  for (const row of after.rows) left.set(key(row), (left.get(key(row)) ?? 0) + 1);
  const missing: Row[] = [];
  for (const row of before.rows) {
    const n = left.get(key(row)) ?? 0;
    if (n === 0) missing.push(row);
    else left.set(key(row), n - 1);
  }
  return missing;
}

/** The read's body as the test compares it: JSON as parsed, CSV as one object per record. */
const comparable = (contentType: string, body: unknown) => (contentType.includes('text/csv') ? parseCsv(String(body)) : body);

interface Upgraded {
  fixture: FixtureDatabase;
  /** Every table before the upgrade, and after it. */
  before: Snapshot;
  after: Snapshot;
  /** The current app, started on the fixture (its start-up ran the migrations), unless it failed to start. */
  t?: TestApp;
  startError?: unknown;
}

const upgrades = new Map<string, Promise<Upgraded>>();

/** Loads a fixture into a new database and starts the current app on it, once per fixture. */
function upgraded(name: string): Promise<Upgraded> {
  let upgrade = upgrades.get(name);
  if (!upgrade) {
    upgrade = (async () => {
      const now = (JSON.parse(readFileSync(join(FIXTURES, name, `reads.${database}.json`), 'utf8')) as { now: string }).now;
      const fixture = await loadFixture(join(FIXTURES, name));
      const before = await fixture.snapshot();
      let t: TestApp | undefined;
      let startError: unknown;
      try {
        t = await startApp({}, fixture.url, new FakeClock(now));
      } catch (error) {
        startError = error;
      }
      return { fixture, before, after: await fixture.snapshot(), t, startError };
    })();
    upgrades.set(name, upgrade);
  }
  return upgrade;
}

/** Which named read changes were seen, so one that no longer shows is taken out rather than kept. */
const seenReadChanges = new Set<number>();

describe(`upgrades from every release's database (${usingMysql ? 'MariaDB' : 'SQLite'})`, () => {
  it('has a fixture for every release, each made on this database', () => {
    if (!process.env.UPGRADE_FIXTURE) expect(fixtures.length).toBeGreaterThanOrEqual(13);
    for (const name of fixtures) {
      const release = JSON.parse(readFileSync(join(FIXTURES, name, 'release.json'), 'utf8')) as Release;
      expect(release.migrations[database]).toBeDefined();
    }
  });

  describe.each(fixtures)('%s', (name) => {
    const dir = join(FIXTURES, name);
    const release = JSON.parse(readFileSync(join(dir, 'release.json'), 'utf8')) as Release;
    const recorded = JSON.parse(readFileSync(join(dir, `reads.${database}.json`), 'utf8')) as { now: string; reads: RecordedRead[] };
    const hadMigrations = release.migrations[database];
    /** Migrations this upgrade runs: the current ones the release did not have. */
    const ran = current.filter((migration) => !hadMigrations.includes(migration));
    let fixture: FixtureDatabase;
    let before: Snapshot;
    let after: Snapshot;
    let t: TestApp | undefined;
    let startError: unknown;

    beforeAll(async () => {
      ({ fixture, before, after, t, startError } = await upgraded(name));
      // The next fixture upgrades while this one's reads are compared.
      const next = fixtures[fixtures.indexOf(name) + 1];
      if (next) upgraded(next).catch(() => undefined);
    }, 90_000);

    afterAll(async () => {
      await t?.close();
      await fixture?.drop();
    });

    it('starts the current release on it, which runs the missing migrations', () => {
      expect(startError).toBeUndefined();
      const applied = after.get('migrations')!.rows.map((row) => row.name);
      expect(applied).toEqual(expect.arrayContaining(current));
      expect(before.get('migrations')!.rows.map((row) => row.name)).toEqual(hadMigrations);
    });

    it('keeps every row of every table (what a migration drops on purpose is named)', () => {
      const named = ran.map((migration) => INTENDED_DROPS[migration] ?? {});
      const problems: string[] = [];
      for (const [table, was] of before) {
        const now = after.get(table);
        if (!now) {
          if (!named.some((drops) => drops.tables?.[table])) problems.push(`table ${table} (${was.rows.length} rows) is gone`);
          continue;
        }
        for (const column of was.columns.filter((c) => !now.columns.includes(c))) {
          if (!named.some((drops) => drops.columns?.[`${table}.${column}`])) problems.push(`column ${table}.${column} is gone`);
        }
        const missing = missingRows(was, now);
        if (table === 'migrations') {
          // The one table that grows: a row per migration this upgrade ran.
          if (missing.length > 0) problems.push(`migrations: ${missing.length} applied migrations forgotten`);
          if (now.rows.length !== was.rows.length + ran.length) problems.push(`migrations: ${was.rows.length} rows + ${ran.length} ran, ${now.rows.length} after`);
          continue;
        }
        if (missing.length > 0) problems.push(`${table}: ${missing.length} of ${was.rows.length} rows lost or changed, e.g. ${JSON.stringify(missing[0])}`);
        if (now.rows.length !== was.rows.length) problems.push(`${table}: ${was.rows.length} rows before, ${now.rows.length} after`);
      }
      expect(problems).toEqual([]);
    });

    it('leaves the schema the current entities expect (nothing for migration:generate)', async () => {
      expect(t).toBeDefined();
      const known = KNOWN_SCHEMA_DRIFT.filter((drift) => !hadMigrations.includes(drift.until));
      const drift = await schemaDrift(t!.dataSource, t!.databaseUrl);
      expect(drift.filter((statement) => !known.some((k) => k.statement.test(statement)))).toEqual([]);
    });

    const reads = recorded.reads;
    const readsTest = reads.length > 0 ? it : it.skip;
    readsTest(`answers the ${reads.length} reads the release answered, the same at the same clock (named definition changes aside)`, async () => {
      expect(t).toBeDefined();
      const unexplained: Array<{ path: string } & Partial<Difference>> = [];
      for (const read of reads) {
        const changes = INTENDED_READ_CHANGES.map((change, i) => ({ change, i })).filter(({ change }) => !hadMigrations.includes(change.until) && change.path.test(read.path));
        const auth = bearer(signToken({ user_id: read.actor.userId, membership_stage: read.actor.stage, role: read.actor.role }));
        const get = async (path: string) => {
          const res = await t!.app.inject({ method: 'GET', url: `/api${path}`, headers: { authorization: auth.Authorization } });
          const type = String(res.headers['content-type'] ?? '').split(';')[0];
          const body = comparable(read.contentType, read.contentType.includes('json') ? JSON.parse(res.body) : res.body);
          return { status: res.statusCode, type, body };
        };
        const was = comparable(read.contentType, read.body);
        const plain = await get(read.path);
        const path = changes.reduce((p, { change }) => change.request?.(p) ?? p, read.path);
        const now = path === read.path ? plain : await get(path);
        if (now.status !== read.status || now.type !== read.contentType.split(';')[0]) {
          unexplained.push({ path, at: 'status and type', was: `${read.status} ${read.contentType}`, now: `${now.status} ${now.type}` });
          continue;
        }
        const expected = changes.reduce((body, { change }) => change.expect?.(body) ?? body, was);
        unexplained.push(...differences(expected, now.body).map((difference) => ({ path, ...difference })));
        // A named change counts as seen where the read, asked and compared as it was, differs.
        if (plain.status !== read.status || differences(was, plain.body).length > 0) for (const { i } of changes) seenReadChanges.add(i);
      }
      expect(unexplained).toEqual([]);
    });
  });

  (process.env.UPGRADE_FIXTURE ? it.skip : it)('every named definition change still shows in some fixture (else take it out)', () => {
    const unused = INTENDED_READ_CHANGES.filter((_, i) => !seenReadChanges.has(i)).map((c) => c.why);
    expect(unused).toEqual([]);
  });
});
