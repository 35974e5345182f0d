/**
 * Makes the upgrade fixtures: for each release, a database filled by that release's own code,
 * on SQLite and on MariaDB, and what that release answered for the reads the upgrade test
 * compares (test/upgrade.e2e-spec.ts). See DEVELOPERS.md, "Upgrade fixtures".
 *
 *   npx ts-node --transpile-only scripts/upgrade-fixtures/generate.ts <commit>...   # these releases
 *   npx ts-node --transpile-only scripts/upgrade-fixtures/generate.ts --all         # every release
 *   npx ts-node --transpile-only scripts/upgrade-fixtures/generate.ts --all --missing   # releases with no fixture yet
 *
 * `--all` takes every release: for each migration set (src/database/migrations/index.ts) that
 * main's first-parent history has held, the last commit that held it (see `releases`). For each
 * commit given, it checks the
 * commit out in a detached worktree under the system's temp folder (removed afterwards), links
 * this checkout's node_modules into it (the release's package.json must be satisfied by it), runs
 * fill.ts there against a new SQLite file and a new MariaDB database (TEST_MYSQL_URL, default
 * mysql://root@127.0.0.1:3306; created and dropped here), and writes into
 * test/upgrade/fixtures/<set>-<commit>/ (<set>: 01 for the first migration set main held, ...):
 *   sqlite.sql         the SQLite database as SQL (schema, rows, indexes, triggers)
 *   mariadb.sql        `mariadb-dump` of the MariaDB database (DEFINER clauses left out)
 *   reads.sqlite.json  what the release answered on SQLite, reads.mariadb.json on MariaDB
 *   release.json       the commit, its date and subject, and the migrations the database holds
 */
import { SqliteFile } from './sqlite-file';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DOES_NOT_START } from './fill';

const repo = resolve(__dirname, '../..');
export const FIXTURES = join(repo, 'test/upgrade/fixtures');
const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();

/**
 * The releases: for each migration set that main's first-parent history has held, the last
 * commit that held it (the commit before the next set arrived; the branch's head for the current
 * set), oldest first. That is the code that served the schema longest, with its fixes; the first
 * commit of a set is sometimes not a working tree (6e9abd1 imports a file its merge added later).
 */
export function releases(branch = 'main'): Array<{ commit: string; setFrom: string }> {
  const changes = git('log', branch, '--first-parent', '--reverse', '--format=%H', '--', 'src/database/migrations/index.ts').split('\n').filter(Boolean);
  return changes.map((setFrom, i) => ({ setFrom, commit: i + 1 < changes.length ? git('rev-parse', `${changes[i + 1]}^1`) : git('rev-parse', branch) }));
}

const quote = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (Buffer.isBuffer(value)) return `X'${value.toString('hex')}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
};

/** The SQLite file as SQL: tables with their rows, then indexes and triggers (as the sqlite3 shell's .dump, without needing it). */
export function dumpSqlite(file: string): string {
  const db = new SqliteFile(file, { readonly: true });
  db.defaultSafeIntegers(true);
  try {
    const objects = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all() as Array<{ type: string; name: string; sql: string }>;
    const out = ['PRAGMA foreign_keys=OFF;', 'BEGIN TRANSACTION;'];
    for (const table of objects.filter((o) => o.type === 'table')) {
      out.push(`${table.sql};`);
      for (const row of db.prepare(`SELECT * FROM "${table.name}"`).raw(true).all() as unknown[][]) {
        out.push(`INSERT INTO "${table.name}" VALUES(${row.map(quote).join(',')});`);
      }
    }
    const sequence = db.prepare("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'").get();
    if (sequence) {
      out.push('DELETE FROM sqlite_sequence;');
      for (const row of db.prepare('SELECT name, seq FROM sqlite_sequence').raw(true).all() as unknown[][]) {
        out.push(`INSERT INTO sqlite_sequence VALUES(${row.map(quote).join(',')});`);
      }
    }
    for (const other of objects.filter((o) => o.type !== 'table')) out.push(`${other.sql};`);
    out.push('COMMIT;');
    return `${out.join('\n')}\n`;
  } finally {
    db.close();
  }
}

function mysqlArgs(url: string): string[] {
  const parsed = new URL(url);
  const args = ['--protocol=tcp', '-h', parsed.hostname, '-P', parsed.port || '3306', '-u', decodeURIComponent(parsed.username || 'root')];
  if (parsed.password) args.push(`-p${decodeURIComponent(parsed.password)}`);
  return args;
}

function dumpMariadb(database: string): string {
  const sql = execFileSync(
    'mariadb-dump',
    [...mysqlArgs(MYSQL_URL), '--skip-comments', '--skip-dump-date', '--compact', '--triggers', '--skip-routines', '--skip-events', database],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  // Loadable by any account that may create triggers, whoever made them.
  // Loadable by any account that may create triggers, whoever made them, and by clients older
  // than the dump tool (its first line, a sandbox-mode marker, stops them).
  return sql.replace(/\/\*!50017 DEFINER=`[^`]*`@`[^`]*`\*\/\s*/g, '').replace(/^\/\*M!999999\\- enable the sandbox mode \*\/\s*\n/, '');
}

class DoesNotStart extends Error {}

function runFill(tree: string, env: Record<string, string>): void {
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', 'upgrade-fill.ts'], {
    cwd: tree,
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(tree, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (run.status === DOES_NOT_START) throw new DoesNotStart(`${tree}: the release's app does not start`);
  if (run.status !== 0) throw new Error(`fill.ts failed in ${tree} (exit ${run.status ?? run.signal})`);
}

async function migrationsOf(query: (sql: string) => Promise<Array<{ name: string }>>): Promise<string[]> {
  return (await query('SELECT name FROM migrations ORDER BY id')).map((row) => row.name);
}

export async function generate(commit: string, setFrom?: string): Promise<string> {
  const sha = git('rev-parse', commit);
  const short = sha.slice(0, 7);
  const [date, subject] = git('log', '-1', '--format=%cI%n%s', sha).split('\n');
  // Named by the set's place in main's history (the sets the commit has seen), then the commit.
  const set = Number(git('rev-list', '--first-parent', '--count', sha, '--', 'src/database/migrations/index.ts'));
  const dir = join(FIXTURES, `${String(set).padStart(2, '0')}-${short}`);
  const tree = join(tmpdir(), `rel-${short}`);
  if (existsSync(tree)) git('worktree', 'remove', '--force', tree);
  git('worktree', 'add', '--detach', tree, sha);
  try {
    symlinkSync(join(repo, 'node_modules'), join(tree, 'node_modules'));
    copyFileSync(join(__dirname, 'fill.ts'), join(tree, 'upgrade-fill.ts'));
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // The set it stands for: the last change of the migration set this commit has seen.
    const standsFor = setFrom ? git('rev-parse', setFrom) : git('log', '-1', '--first-parent', '--format=%H', sha, '--', 'src/database/migrations/index.ts');
    const release = { commit: sha, date, subject, setFrom: standsFor, migrations: {} as Record<string, string[]> };

    // SQLite: a file the release fills, dumped as SQL.
    const file = join(tree, 'fixture.sqlite');
    runFill(tree, { DATABASE_URL: `sqlite:${file}`, UPGRADE_READS: join(dir, 'reads.sqlite.json'), UPGRADE_RELEASE: sha });
    writeFileSync(join(dir, 'sqlite.sql'), dumpSqlite(file));
    const sqlite = new SqliteFile(file, { readonly: true });
    release.migrations.sqlite = await migrationsOf(async (sql) => sqlite.prepare(sql).all() as Array<{ name: string }>);
    sqlite.close();

    // MariaDB: a database created and dropped here.
    const name = `upgrade_fixture_${short}`;
    const admin = await createConnection({ uri: MYSQL_URL });
    await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    try {
      const url = new URL(MYSQL_URL);
      url.pathname = `/${name}`;
      runFill(tree, { DATABASE_URL: url.toString(), UPGRADE_READS: join(dir, 'reads.mariadb.json'), UPGRADE_RELEASE: sha });
      writeFileSync(join(dir, 'mariadb.sql'), dumpMariadb(name));
      release.migrations.mariadb = await migrationsOf(async (sql) => (await admin.query(`${sql.replace('migrations', `\`${name}\`.migrations`)}`))[0] as Array<{ name: string }>);
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.end();
    }
    writeFileSync(join(dir, 'release.json'), `${JSON.stringify(release, null, 2)}\n`);
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  } finally {
    git('worktree', 'remove', '--force', tree);
  }
}

/**
 * The fixture of the migration set `setFrom` started, from `commit` or, where its app does not
 * start, the nearest earlier commit of the same set (first parents only) whose app does.
 */
async function generateWorking(commit: string, setFrom?: string): Promise<string> {
  let candidates = [commit];
  if (setFrom) {
    // commit, its first parent, ... down to setFrom (the root commit has no parent to stop at).
    const line = git('rev-list', '--first-parent', commit).split('\n');
    candidates = line.slice(0, line.indexOf(git('rev-parse', setFrom)) + 1);
  }
  for (const candidate of candidates) {
    try {
      return await generate(candidate, setFrom);
    } catch (error) {
      if (!(error instanceof DoesNotStart)) throw error;
      console.log(`${candidate.slice(0, 7)} does not start; trying the commit before it`);
    }
  }
  throw new Error(`no commit of the set from ${setFrom ?? commit} starts`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length === 0 || args.includes('--help')) {
    console.log('usage: generate.ts --all | <commit>...   (see DEVELOPERS.md, "Upgrade fixtures")');
    process.exit(args.length === 0 ? 1 : 0);
  }
  let commits = args.includes('--all') ? releases() : args.filter((arg) => !arg.startsWith('--')).map((commit) => ({ commit, setFrom: undefined as string | undefined }));
  if (args.includes('--missing')) {
    // Only the sets no fixture stands for yet (a fixture names the set it stands for in release.json).
    const made = existsSync(FIXTURES)
      ? readdirSync(FIXTURES).flatMap((name) => (existsSync(join(FIXTURES, name, 'release.json')) ? [JSON.parse(readFileSync(join(FIXTURES, name, 'release.json'), 'utf8')).setFrom as string] : []))
      : [];
    commits = commits.filter(({ setFrom }) => !setFrom || !made.includes(setFrom));
  }
  for (const { commit, setFrom } of commits) {
    const dir = await generateWorking(commit, setFrom);
    const size = ['sqlite.sql', 'mariadb.sql', 'reads.sqlite.json', 'reads.mariadb.json'].map((f) => `${f} ${Math.round(readFileSync(join(dir, f)).length / 1024)} KB`);
    console.log(`${dir.replace(`${repo}/`, '')} (${size.join(', ')})`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
