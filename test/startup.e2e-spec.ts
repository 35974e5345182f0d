import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseChildEnv, freePort, runTsNode, RunningChild, startTsNode } from './support/child-process';
import { createTestDatabase } from './support/test-app';

/**
 * The real entry point (src/main.ts) as a child process: what a deployment sees. Bad production
 * config must stop it with a one-line reason; a good config serves health and SIGTERM shuts it
 * down cleanly (enableShutdownHooks).
 */

const APP_ID = '00112233445566778899aabbccddeeff';
const APP_CERTIFICATE = 'ffeeddccbbaa99887766554433221100';
const STACK_FRAME = /^\s+at .+[(:]/m;

function productionEnv(env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return baseChildEnv({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    AGORA_HEALTH_URL: 'off',
    AGORA_APP_ID: APP_ID,
    AGORA_APP_CERTIFICATE: APP_CERTIFICATE,
    ...env,
  });
}

/** Polls GET /api/health until it answers (or the process dies, or time runs out). */
async function waitForHealth(running: RunningChild, port: number, timeoutMs = 25_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void running.exited.then(() => (exited = true));
  while (Date.now() < deadline && !exited) {
    try {
      return await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(1000) });
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`the service never answered on port ${port}.\nstdout:\n${running.stdout}\nstderr:\n${running.stderr}`);
}

/** Sends SIGTERM and measures how long the process takes to go. */
async function terminate(running: RunningChild): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = Date.now();
  const killer = setTimeout(() => running.child.kill('SIGKILL'), 10_000);
  running.child.kill('SIGTERM');
  const { code, signal } = await running.exited;
  clearTimeout(killer);
  return { code, signal, ms: Date.now() - started };
}

/** A graceful stop: the shutdown hook closes the app, then the process exits 0 (`useProcessExit`). */
const CLEAN_EXITS = [{ code: 0, signal: null }];

describe('start-up (node src/main.ts)', () => {
  it('refuses NODE_ENV=production without JWT_SECRET: exit 1, the variable named on stderr, no stack trace', async () => {
    // An empty value counts as unset for the service, and keeps a developer's .env from filling it in.
    const result = await runTsNode('src/main.ts', [], productionEnv({ DATABASE_URL: 'sqlite::memory:', JWT_SECRET: '' }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('JWT_SECRET');
    expect(result.stderr).toMatch(/^Invalid configuration:/);
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses the development secret in production, naming JWT_SECRET', async () => {
    const result = await runTsNode(
      'src/main.ts',
      [],
      productionEnv({ DATABASE_URL: 'sqlite::memory:', JWT_SECRET: 'ikoota-calling-dev-secret-change-me' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('JWT_SECRET');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('refuses NODE_ENV=production without Agora credentials, naming the variable', async () => {
    const result = await runTsNode(
      'src/main.ts',
      [],
      productionEnv({ DATABASE_URL: 'sqlite::memory:', JWT_SECRET: 'a-long-production-secret', AGORA_APP_CERTIFICATE: '' }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('AGORA_APP_CERTIFICATE');
    expect(result.stderr).not.toMatch(STACK_FRAME);
  });

  it('starts on the test database, answers GET /api/health, and stops on SIGTERM within seconds', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const running = startTsNode(
      'src/main.ts',
      [],
      productionEnv({ DATABASE_URL: database.url, JWT_SECRET: 'a-long-production-secret', PORT: String(port) }),
    );
    try {
      const health = await waitForHealth(running, port);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: { status: 'up' }, agora: { configured: true } });

      const stop = await terminate(running);
      expect(CLEAN_EXITS).toContainEqual({ code: stop.code, signal: stop.signal });
      expect(stop.ms).toBeLessThan(5000);
      expect(running.stderr).toBe('');
    } finally {
      running.child.kill('SIGKILL');
      await database.drop();
    }
  }, 60_000);

  it('closes the database cleanly on SIGTERM (SQLite checkpoints and removes its WAL only on a clean close)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calling-startup-'));
    const file = join(dir, 'calling.sqlite');
    const port = await freePort();
    const running = startTsNode(
      'src/main.ts',
      [],
      productionEnv({ DATABASE_URL: `sqlite:${file}`, JWT_SECRET: 'a-long-production-secret', PORT: String(port) }),
    );
    try {
      expect((await waitForHealth(running, port)).status).toBe(200);
      // While open, the database runs in WAL mode: the -wal file exists.
      expect(existsSync(`${file}-wal`)).toBe(true);

      const stop = await terminate(running);
      expect(CLEAN_EXITS).toContainEqual({ code: stop.code, signal: stop.signal });
      // Killed without the shutdown hook, the -wal and -shm files stay behind.
      expect(existsSync(file)).toBe(true);
      expect(existsSync(`${file}-wal`)).toBe(false);
      expect(existsSync(`${file}-shm`)).toBe(false);
    } finally {
      running.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
