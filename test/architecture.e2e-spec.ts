import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { ModulesContainer } from '@nestjs/core';
import { JobScheduler } from '../src/jobs/job-scheduler.service';
import { startApp, TestApp } from './support/test-app';

/**
 * docs/architecture.md against the code: the module picture against Nest's module imports, the
 * table owners against the entities, the job list against the jobs the scheduler finds, and the
 * naming rule against every class in src/.
 */

const ROOT = join(__dirname, '..');
const SRC = join(ROOT, 'src');
const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/** The rows of the Markdown table that follows `heading`, as cells. */
function tableAfter(heading: string): string[][] {
  const lines = page.slice(page.indexOf(heading)).split('\n');
  const start = lines.findIndex((line) => line.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.split('|').slice(1, -1).map((cell) => cell.trim()));
  }
  return rows;
}

const unquote = (cell: string): string => cell.replace(/`/g, '');

describe('docs/architecture.md matches the code', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  }, 120_000);
  afterAll(async () => t?.close());

  it('the module picture is the modules and imports Nest has', () => {
    const pictured = new Set([...page.matchAll(/^ {2}(\w+Module) --> (\w+Module)$/gm)].map((m) => `${m[1]} --> ${m[2]}`));
    const features = new Set(
      filesUnder(SRC)
        .filter((file) => file.endsWith('.module.ts') && relative(SRC, file).split('/').length === 2)
        .map((file) => /export class (\w+Module)/.exec(readFileSync(file, 'utf8'))![1]),
    );
    const actual = new Set<string>();
    for (const module of t.app.get(ModulesContainer).values()) {
      const name = module.metatype.name;
      if (!features.has(name)) continue;
      for (const imported of module.imports) if (features.has(imported.metatype.name) && !imported.isGlobal) actual.add(`${name} --> ${imported.metatype.name}`);
    }
    expect([...pictured].sort()).toEqual([...actual].sort());
    // Every feature module appears in the picture or among the global ones named under it.
    for (const name of features) expect(page).toContain(name);
  });

  it('every table has the owner the page says: the feature whose entities/ holds it', () => {
    const owners = new Map<string, string>();
    for (const file of filesUnder(SRC).filter((f) => f.endsWith('.entity.ts'))) {
      const table = /@Entity\(\{ name: '(\w+)'/.exec(readFileSync(file, 'utf8'))?.[1];
      if (table) owners.set(table, relative(SRC, file).split('/')[0]);
    }
    const listed = new Map(tableAfter('## Tables and their owners').map(([table, owner]) => [unquote(table), owner]));
    expect(Object.fromEntries(listed)).toEqual(Object.fromEntries(owners));
  });

  it('the job list is the jobs JobScheduler finds, each in the file the page names', () => {
    const rows = tableAfter('## Jobs');
    expect(rows.map(([job]) => unquote(job)).sort()).toEqual(t.app.get(JobScheduler).names().sort());
    for (const [job, file] of rows) expect(readFileSync(join(ROOT, unquote(file)), 'utf8')).toMatch(new RegExp(`@Job\\((?:'${unquote(job)}'|[A-Z_]+)\\)`));
  });

  it('every class is named after its file (the naming rule)', () => {
    const ROLES: Record<string, string> = { module: 'Module', controller: 'Controller', repository: 'Repository', job: 'Job', guard: 'Guard', pipe: 'Pipe', filter: 'Filter', dto: 'Dto' };
    const pascal = (kebab: string): string => kebab.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, c: string) => c.toUpperCase());
    const wrong: string[] = [];
    for (const file of filesUnder(SRC).filter((f) => /\.(module|controller|repository|job|service|guard|pipe|filter)\.ts$/.test(f))) {
      const [stem, role] = basename(file, '.ts').split('.');
      const classes = [...readFileSync(file, 'utf8').matchAll(/^export class (\w+)/gm)].map((m) => m[1]);
      const expected = role === 'service' ? [pascal(stem), `${pascal(stem)}Service`] : [`${pascal(stem)}${ROLES[role]}`];
      // The file's provider carries the file's name; a file may also export small helper classes (or, a dynamic module, none).
      if (classes.length === 0) continue;
      if (!classes.some((name) => expected.includes(name))) wrong.push(`${relative(ROOT, file)}: ${classes.join(', ')} (expected ${expected.join(' or ')})`);
    }
    expect(wrong).toEqual([]);
  });

  it('SQL is sent only from repositories (and the data-source mechanics in src/database/)', () => {
    const SQL = /@InjectRepository\(|\.getRepository\b|\.createQueryBuilder\(|\bmanager\.(query|insert|update|delete|find\w*|save|exists)\(|\.dataSource\.query\(/;
    const senders = filesUnder(SRC)
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.repository.ts') && !file.endsWith('.spec.ts'))
      .filter((file) => !relative(SRC, file).startsWith('database/'))
      .filter((file) => SQL.test(readFileSync(file, 'utf8')))
      .map((file) => relative(ROOT, file));
    // The health probe's bounded `SELECT 1` is a round trip, not a query of any feature's tables.
    expect(senders).toEqual(['src/health/health.service.ts']);
  });
});
