import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseChildEnv, freePort, runTsNode, RunningChild, startTsNode } from './support/child-process';
import { createTestDatabase, usingMysql } from './support/test-app';

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

  it('names every missing or invalid variable in one message, printed once, and exits 1 before anything starts', async () => {
    const result = await runTsNode(
      'src/main.ts',
      [],
      productionEnv({
        DATABASE_URL: 'sqlite::memory:',
        JWT_SECRET: '',
        AGORA_APP_CERTIFICATE: '',
        PORT: 'eighty',
        LOG_LEVEL: 'info',
        REDIS_URL: 'localhost:6379',
        EVENTS_WEBHOOK_URL: 'https://hooks.example/calling',
        CALL_RETENTION_DAYS: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_TRACES_SAMPLER: 'sometimes',
      }),
      60_000,
    );
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('Invalid configuration:');
    const named = ['OTEL_TRACES_SAMPLER', 'PORT', 'JWT_SECRET', 'AGORA_APP_CERTIFICATE', 'CALL_RETENTION_DAYS', 'REDIS_URL', 'EVENTS_WEBHOOK_SECRET'];
    expect(lines.slice(1)).toEqual(named.map((variable) => expect.stringMatching(new RegExp(`^  - ${variable}\\b`))));
    // Once: not a second time in a log line on stdout, nor a second round on stderr.
    expect(result.stdout).toBe('');
    expect(result.stderr.match(/Invalid configuration/g)).toHaveLength(1);
    for (const variable of named) expect({ variable, times: result.stderr.split(variable).length - 1 }).toEqual({ variable, times: 1 });
    expect(result.stderr).not.toMatch(STACK_FRAME);
  }, 90_000);

  it('says at start-up, in one line, where it answers, its database and its integrations, with no secret; Nest\'s route mapping stays below info', async () => {
    const database = await createTestDatabase();
    const port = await freePort();
    const secrets = {
      JWT_SECRET: 'a-long-production-secret',
      AGORA_APP_CERTIFICATE: APP_CERTIFICATE,
      AGORA_CUSTOMER_SECRET: 'agora-customer-secret-value',
      METRICS_TOKEN: 'a-metrics-scrape-token',
      EVENTS_WEBHOOK_SECRET: 'a-webhook-signing-secret',
    };
    const running = startTsNode(
      'src/main.ts',
      [],
      productionEnv({
        ...secrets,
        DATABASE_URL: database.url,
        PORT: String(port),
        LOG_LEVEL: 'info',
        JOBS_ENABLED: 'false',
        AGORA_CUSTOMER_ID: 'agora-customer-id',
        EVENTS_WEBHOOK_URL: 'https://hooks.example:8443/calling',
      }),
    );
    try {
      expect((await waitForHealth(running, port, 60_000)).status).toBe(200);
      await terminate(running);
      const lines = running.stdout.trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg?: string; context?: string });
      const startup = lines.filter((line) => line.msg?.startsWith('Ikoota calling API at'));
      expect(startup).toHaveLength(1);
      const expectedDatabase = usingMysql ? `mysql 127.0.0.1:3306/${new URL(database.url).pathname.slice(1)}` : 'sqlite :memory:';
      expect(startup[0]).toMatchObject({
        level: 'info',
        url: `http://localhost:${port}/api`,
        integrations: { agoraRest: true, eventWebhooks: true, metricsToken: true, redis: false, recording: false, tracing: false, agoraWebhooks: false },
        warnings: [],
      });
      expect(startup[0].msg).toBe(
        `Ikoota calling API at http://localhost:${port}/api (Swagger UI at /api/docs, dashboard at /dashboard, production); database ${expectedDatabase}; ` +
          'configured: Agora REST, event webhooks (hooks.example:8443), metrics token; not configured: Agora webhooks, recording, Redis, tracing; media encryption: off; scheduled jobs off (JOBS_ENABLED=false)',
      );
      // Start-up says nothing else at info: no module, controller or route lines, no listening
      // addresses. Before it, the migrations this new database needed (an event, not narration);
      // after it, the health checks' request lines.
      expect(running.stdout).not.toContain('Mapped {');
      expect(lines.slice(0, lines.indexOf(startup[0])).map((line) => [line.context, line.msg])).toEqual([['Migrations', 'migrations applied']]);
      expect(new Set(lines.slice(lines.indexOf(startup[0]) + 1).map((line) => line.msg))).toEqual(new Set(['request']));
      for (const secret of Object.values(secrets)) expect(running.stdout).not.toContain(secret);
      expect(running.stderr).toBe('');
    } finally {
      running.child.kill('SIGKILL');
      await database.drop();
    }
  }, 90_000);

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
