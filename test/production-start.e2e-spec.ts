import { ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { baseChildEnv, freePort, PROJECT_ROOT } from './support/child-process';

const run = promisify(execFile);

/**
 * The README's production steps, as written, in a fresh copy of the repository (no node_modules,
 * no dist): npm ci, npm run build, npm prune --omit=dev, then node with the heap flags. Then
 * `npm start` on the pruned copy: dist/ is current, so it starts without building (there is no
 * Nest CLI left to build with) and answers /api/health within 3 s.
 *
 * Slow (a whole install, including compiling better-sqlite3 when no prebuilt binary can be
 * fetched): it runs under CI=true or PRODUCTION_START_TEST=1, and once per CI run (not again on
 * MariaDB: nothing in it touches the database server).
 */
const WANTED = (process.env.CI === 'true' || process.env.PRODUCTION_START_TEST === '1') && process.env.TEST_DB !== 'mysql';
if (!WANTED && process.env.TEST_DB !== 'mysql') {
  process.stderr.write('\nProduction-start test SKIPPED (slow; runs under CI=true or PRODUCTION_START_TEST=1)\n\n');
}

const HEAP_FLAGS = ['--max-semi-space-size=2', '--max-old-space-size=512'];

(WANTED ? describe : describe.skip)('production start, as the README says', () => {
  let copy: string;
  let env: NodeJS.ProcessEnv;
  const running: ChildProcess[] = [];

  beforeAll(async () => {
    copy = mkdtempSync(join(tmpdir(), 'calling-production-'));
    // Tracked files plus new ones not yet committed, never node_modules, dist or data.
    const { stdout } = await run('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_ROOT, maxBuffer: 16 * 1024 * 1024 });
    for (const file of stdout.split('\n').filter(Boolean)) {
      if (!existsSync(join(PROJECT_ROOT, file))) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      copyFileSync(join(PROJECT_ROOT, file), join(copy, file));
    }
    env = baseChildEnv({ npm_config_cache: process.env.npm_config_cache, DATABASE_URL: `sqlite:${join(copy, 'data', 'calling.sqlite')}`, LOG_LEVEL: 'warn' });
  });

  afterAll(async () => {
    for (const child of running) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  const npm = (args: string[]) => run('npm', args, { cwd: copy, env, maxBuffer: 64 * 1024 * 1024 });

  /** Starts a command in its own process group and resolves with the ms until /api/health said 200. */
  async function startAndWaitHealthy(command: string, args: string[]): Promise<{ child: ChildProcess; ms: number; port: number; output: () => string }> {
    const port = await freePort();
    const started = Date.now();
    const child = spawn(command, args, { cwd: copy, env: { ...env, PORT: String(port) }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    while (Date.now() - started < 60_000) {
      if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited ${child.exitCode}:\n${output}`);
      const healthy = await fetch(`http://127.0.0.1:${port}/api/health`)
        .then((res) => res.status === 200)
        .catch(() => false);
      if (healthy) return { child, ms: Date.now() - started, port, output: () => output };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`${command} never became healthy:\n${output}`);
  }

  async function stop(child: ChildProcess): Promise<void> {
    if (child.exitCode !== null || !child.pid) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  }

  it('npm ci, npm run build, npm prune --omit=dev, node dist/main.js with the heap flags (refusing a broken environment in one message first); then npm start without rebuilding, healthy within 3 s', async () => {
    await npm(['ci', '--prefer-offline', '--no-audit', '--no-fund']);
    await npm(['run', 'build']);
    await npm(['prune', '--omit=dev']);
    expect(existsSync(join(copy, 'node_modules', '@nestjs', 'cli'))).toBe(false);

    // A broken production environment: every bad variable in one message on stderr, once, exit 1.
    const refused = (await run(process.execPath, [...HEAP_FLAGS, 'dist/main.js'], {
      cwd: copy,
      env: { ...env, NODE_ENV: 'production', LOG_LEVEL: 'info', JWT_SECRET: '', PORT: 'eighty', REDIS_URL: 'localhost:6379' },
    }).then(
      () => ({ code: 0, stdout: '', stderr: '' }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    )) as { code: number; stdout: string; stderr: string };
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toEqual([
      'Invalid configuration:',
      '  - PORT must be an integer number',
      '  - JWT_SECRET is required when NODE_ENV=production',
      '  - AGORA_APP_ID is required when NODE_ENV=production',
      '  - AGORA_APP_CERTIFICATE is required when NODE_ENV=production',
      '  - REDIS_URL must look like redis://host:port',
    ]);

    const first = await startAndWaitHealthy(process.execPath, [...HEAP_FLAGS, 'dist/main.js']);
    await stop(first.child);

    const second = await startAndWaitHealthy('npm', ['start']);
    expect(second.output()).not.toMatch(/Building|rebuilding|nest: not found/);
    expect(second.ms).toBeLessThan(3000);
    // The dashboard was built by `npm run build` too, and is served from the pruned install.
    const dashboard = await fetch(`http://127.0.0.1:${second.port}/dashboard/calls`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toMatch(/<script type="module" crossorigin src="\/dashboard\/assets\/index-[\w-]+\.js"><\/script>/);
    await stop(second.child);
  }, 900_000);
});
