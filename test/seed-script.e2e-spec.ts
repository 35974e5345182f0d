import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../src/config/database.config';
import { buildDataSourceOptions } from '../src/database/data-source.options';
import { ENTITIES } from '../src/entities';
import { baseChildEnv, Finished, runTsNode } from './support/child-process';
import { createTestDatabase, usingMysql } from './support/test-app';

/**
 * `npm run seed` (scripts/seed.ts), run the way npm runs it, on a database of its own: a SQLite
 * file, or a new MariaDB database under TEST_DB=mysql. Run twice, the demo is there once; with
 * --reset the database is emptied and seeded again, unless it has members besides the demo's.
 */

const SCRIPT = 'scripts/seed.ts';
const SEEDED = /^(?:Emptied the database and seeded|Seeded) 40 members \(user ids 90001-90040\), (\d+) calls \(ids (\d+)-(\d+)\) and (\d+) sessions over the past 4 weeks\.\n/;

interface Counts {
  users: number;
  calls: number;
  sessions: number;
  members: number;
}

describe('npm run seed (scripts/seed.ts)', () => {
  let url: string;
  let dropDatabase: () => Promise<void>;
  let dir: string | undefined;

  beforeAll(async () => {
    if (usingMysql) {
      const database = await createTestDatabase();
      url = database.url;
      dropDatabase = database.drop;
    } else {
      dir = mkdtempSync(join(tmpdir(), 'calling-seed-'));
      url = `sqlite:${join(dir, 'calling.sqlite')}`;
      dropDatabase = async () => undefined;
    }
  });

  afterAll(async () => {
    await dropDatabase();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the script in development with nothing configured but the database. */
  function seed(args: string[] = [], env: Record<string, string> = {}): Promise<Finished> {
    return runTsNode(SCRIPT, args, baseChildEnv({ DATABASE_URL: url, JWT_SECRET: '', REDIS_URL: '', ...env }), 300_000);
  }

  /** One statement on the seeded database, through a DataSource of its own (the app's options). */
  async function sql<T>(statement: string): Promise<T[]> {
    const dataSource = new DataSource(buildDataSourceOptions(parseDatabaseUrl(url), ENTITIES, false, 5000));
    await dataSource.initialize();
    try {
      return (await dataSource.query(statement)) as T[];
    } finally {
      await dataSource.destroy();
    }
  }

  async function counts(): Promise<Counts> {
    const one = async (table: string) => Number((await sql<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n);
    return { users: await one('users'), calls: await one('calls'), sessions: await one('call_sessions'), members: await one('call_members') };
  }

  function seeded(result: Finished): { calls: number; firstId: number; lastId: number; sessions: number } {
    expect(result).toMatchObject({ code: 0, signal: null });
    const match = SEEDED.exec(result.stdout);
    expect(match).not.toBeNull();
    const [, calls, firstId, lastId, sessions] = match!.map(Number);
    return { calls, firstId, lastId, sessions };
  }

  let first: Counts;
  let firstLastId: number;

  it('seeds the demo into an empty database and says how to use it', async () => {
    const result = await seed();
    const story = seeded(result);
    expect(result.stdout).toContain('npm run token -- --user 90001 --stage member --role admin');
    first = await counts();
    expect(first).toMatchObject({ users: 40, calls: story.calls, sessions: story.sessions });
    expect(story.calls).toBeGreaterThan(30);
    firstLastId = story.lastId;
  }, 600_000);

  it('run again, says the demo is already there (exit 0) and adds nothing', async () => {
    const result = await seed();
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(result.stdout).toMatch(/^Already seeded: the demo's members \(user ids 90001-90040\) and their calls are in this database; nothing was added\.\n/);
    expect(result.stdout).toContain('npm run seed -- --reset');
    expect(result.stdout).toContain('npm run token -- --user 90001 --stage member --role admin');
    expect(await counts()).toEqual(first);
  }, 600_000);

  it('with --reset, empties the database and seeds the demo once again', async () => {
    const result = await seed(['--reset']);
    const story = seeded(result);
    expect(result.stdout).toMatch(/^Emptied the database and seeded/);
    const after = await counts();
    expect(after).toMatchObject({ users: 40, calls: story.calls, sessions: story.sessions });
    // The same story (the count of today's calls could differ by one across a half hour).
    expect(Math.abs(after.calls - first.calls)).toBeLessThanOrEqual(1);
    // Nothing of the first run is left.
    expect(await sql<{ n: number }>(`SELECT COUNT(*) AS n FROM calls WHERE id <= ${firstLastId}`).then((rows) => Number(rows[0].n))).toBe(0);
  }, 600_000);

  it('refuses --reset (exit 1, nothing deleted) while the database has a member besides the demo\'s', async () => {
    const at = '2026-11-20 15:00:00.000';
    await sql(`INSERT INTO users (id, oto_number, membership_stage, role, first_seen_at, last_seen_at) VALUES (42, 'OTO#NOTDEMO', 'member', 'user', '${at}', '${at}')`);
    const before = await counts();
    const refused = await seed(['--reset']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("this one has 1 member(s) besides the demo's");
    expect(await counts()).toEqual(before);
  }, 600_000);

  // Decided before the service (and the database) is loaded: quick.
  it('refuses --reset with NODE_ENV=production, prints usage for --help and refuses unknown options', async () => {
    const before = await counts();
    const production = await seed(['--reset'], { NODE_ENV: 'production' });
    expect(production.code).toBe(1);
    expect(production.stderr).toContain('refused with NODE_ENV=production');
    expect(await counts()).toEqual(before);

    const help = await seed(['--help']);
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toMatch(/^Usage: npm run seed \[-- --reset\]/);
    const unknown = await seed(['--resett']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Unknown option --resett/);
  }, 120_000);
});
