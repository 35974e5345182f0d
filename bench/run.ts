/**
 * `npm run bench [-- --quick] [--only token,join-leave,my-calls,analytics,stage] [--verbose]`
 *
 * Builds what is missing or stale in dist/ (scripts/build-if-stale.js, as `npm start` does: the
 * service and the dashboard, so dist/ is whole afterwards) and creates a fresh database: a temporary SQLite file, or
 * a database `calling_bench_<pid>` on the MySQL/MariaDB server when DATABASE_URL (from the
 * environment; .env is not read) is a mysql:// or mariadb:// URL. Then, for each scenario:
 * seeds it, starts the built service (`node dist/main.js`) on a free port, measures its cold
 * start (spawn -> first 200 from /api/health), drives it with autocannon from a separate
 * process (bench/load.ts), reads its peak RSS (VmHWM), stops it, and checks the database.
 * The token scenario also runs against bench/baseline-token-server.ts, and every token figure
 * is given as a ratio to it.
 *
 * Choices worth knowing:
 * - Seeding runs in this process through the real services (createApp({ clock }), as
 *   scripts/seed.ts does) while no service process runs: on SQLite two writers would only queue
 *   on the file lock, and seeding must not overlap a measurement anyway. The analytics data set
 *   is written in bulk (bench/lib/analytics-seed.ts). A fresh service process per scenario also
 *   gives each scenario its own peak RSS and cold start.
 * - Rate limits stay as configured, except where a scenario would only measure the limiter
 *   (token, analytics): there RATE_LIMIT_SCALE is raised, and the output says so.
 * - join+leave: the calls are pre-seated to 2 slots below their cap, so 50 connections really
 *   fight over the last slots; CALL_FULL refusals are expected and counted apart from errors.
 * - analytics: one connection (one admin at a time), so p50 is the time an admin waits.
 *
 * Prints a table (in full mode also the targets of issue 6, PASS/FAIL) and writes
 * bench/results/<timestamp>-<db>.json. Exits 1 when a correctness check fails (cap exceeded,
 * head count wrong, unexpected errors, analytics disagreeing with the raw rows), never because
 * of speed. Child processes, the temporary files and the bench database are removed on every
 * way out, Ctrl-C included.
 *
 * --only runs some scenarios; --verbose echoes the service's own output. To profile the service
 * under the bench's load, pass it node flags: BENCH_SERVICE_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof" npm run bench -- --only token (one profile per service start).
 */
import 'reflect-metadata';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join, resolve } from 'node:path';
import { sign } from 'jsonwebtoken';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { loadAgoraConfig } from '../src/config/agora.config';
import { loadAuthConfig } from '../src/config/auth.config';
import { ikootaClaims } from '../test/support/jwt';
import { AnalyticsSeedState, emptyAnalyticsState, growAnalyticsDataSet, SESSIONS_PER_MEMBER } from './lib/analytics-seed';
import { BUILD_ARGS } from './lib/build';
import { BenchDatabase, BenchDb, createBenchDatabase } from './lib/db';
import type { LoadRequest, LoadResult, LoadSpec, OnceItem, RotateItem } from './lib/load-spec';
import { Child, freePort, killAllChildren, PeakRss, spawnChild, stopAllChildren, stopChild, waitFor200 } from './lib/processes';
import { formatMarks, formatTable, Mark, ratio, Row, x } from './lib/report';
import { BIG_CALLS_LABEL, STAGE_FULL, STAGE_QUICK, stageMarks, StageResults, stageScenario } from './lib/stage-scenario';
import { seedJoinLeaveScenario, seedMyCallsScenario, seedTokenScenario, withServices } from './lib/service-seed';
import { DAY, elapsed, round, utcDay } from './lib/util';

const ROOT = resolve(__dirname, '..');
const SCENARIOS = ['token', 'join-leave', 'my-calls', 'analytics', 'stage'] as const;
type ScenarioName = (typeof SCENARIOS)[number];

/** Limits are multiplied by this where a scenario needs them out of the way (said in the output). */
const RAISED_RATE_LIMIT_SCALE = 100_000;

/** The flags between `node` and `dist/main.js` in package.json's start script. */
const START_NODE_ARGS: string[] = (() => {
  const start: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const match = /^node\s+(.*?)\s*dist\/main\.js$/.exec(start.trim());
  return match ? match[1].split(/\s+/).filter(Boolean) : [];
})();

const FULL = {
  token: { calls: 200, perCall: 10, connections: 50, durationSec: 20, warmupPasses: 2 },
  joinLeave: { calls: 40, cap: 25, seated: 23, churners: 2000, connections: 50, durationSec: 20, warmupSec: 3 },
  myCalls: { members: 500, callsEach: 50, connections: 50, durationSec: 15 },
  analytics: { sizes: [100_000, 1_000_000], connections: 1, durationSec: 10 },
};
const QUICK: typeof FULL = {
  token: { calls: 20, perCall: 10, connections: 50, durationSec: 2, warmupPasses: 1 },
  joinLeave: { calls: 8, cap: 25, seated: 23, churners: 200, connections: 50, durationSec: 2, warmupSec: 0.5 },
  myCalls: { members: 50, callsEach: 50, connections: 50, durationSec: 2 },
  analytics: { sizes: [1_000, 10_000], connections: 1, durationSec: 2 },
};

/** User id ranges per scenario, apart from each other and from the analytics members. */
const IDS = { token: 1_000_001, joinLeave: 1_100_001, myCalls: 1_300_001, admin: 1_900_001 };

const TARGETS = {
  /** Token req/s and CPU per request against the NestJS reference server (the framework's ceiling). */
  tokenVsReference: 0.8,
  tokenCpuVsReference: 1.3,
  tokenP99Ms: 40,
  tokenRssMb: 250,
  joinLeaveCyclesPerSec: { mariadb: 500, sqlite: 1000 },
  analyticsP50Ms: 50,
  analyticsGrowth: 1.5,
  coldStartMs: 2000,
};

// ---------------------------------------------------------------------------------------------

const log = (message: string): void => console.log(`· ${message}`);

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

interface ServerRun {
  child: Child;
  /** Errors the service logged, counted by route, type and message. */
  loggedErrors: Map<string, number>;
  port: number;
  url: string;
  coldStartMs: number;
  rss: PeakRss;
}

interface Measured {
  load: LoadResult;
  rssMb?: number;
  /** What the service logged at level error during the run (with counts). */
  serviceErrors?: string[];
}

/** Counts a service log line at level error (JSON lines from pino); other lines are ignored. */
function countError(into: Map<string, number>, line: string): void {
  if (!line.includes('"level":"error"')) return;
  try {
    const entry = JSON.parse(line) as { msg?: string; route?: string; error?: { type?: string; message?: string } };
    const key = `${entry.route ?? '-'}: ${entry.error ? `${entry.error.type ?? 'Error'}: ${entry.error.message ?? ''}` : (entry.msg ?? '')}`.slice(0, 200);
    into.set(key, (into.get(key) ?? 0) + 1);
  } catch {
    into.set(line.slice(0, 200), (into.get(line.slice(0, 200)) ?? 0) + 1);
  }
}

class Bench {
  readonly quick: boolean;
  readonly params: typeof FULL;
  readonly only: Set<ScenarioName>;
  readonly verbose: boolean;
  readonly checks: Check[] = [];
  readonly rows: Row[] = [];
  readonly coldStarts: Array<{ server: string; ms: number }> = [];
  readonly results: Record<string, unknown> = {};
  database!: BenchDatabase;
  work!: string;
  private secret!: string;
  private loadCount = 0;
  private readonly startedAt = performance.now();

  constructor(argv: string[]) {
    this.quick = argv.includes('--quick');
    this.verbose = argv.includes('--verbose');
    this.params = this.quick ? QUICK : FULL;
    const onlyAt = argv.indexOf('--only');
    const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : [...SCENARIOS];
    for (const name of only) if (!SCENARIOS.includes(name as ScenarioName)) throw new Error(`--only: unknown scenario "${name}" (${SCENARIOS.join(', ')})`);
    this.only = new Set(only as ScenarioName[]);
  }

  check(name: string, ok: boolean, detail: string): void {
    this.checks.push({ name, ok, detail });
    if (!ok) console.log(`  ! check failed: ${name}: ${detail}`);
  }

  async run(): Promise<number> {
    console.log(`Ikoota Calling API benchmark (${this.quick ? 'quick' : 'full'} mode)`);
    this.work = mkdtempSync(join(tmpdir(), 'calling-bench-work-'));

    log('building what is missing or stale in dist/: node scripts/build-if-stale.js');
    const t0 = performance.now();
    const build = spawnChild('build', process.execPath, [...BUILD_ARGS], { cwd: ROOT });
    if ((await build.exited) !== 0) throw new Error(`node ${BUILD_ARGS.join(' ')} failed:\n${build.tail()}`);
    log(`built in ${elapsed(t0).toFixed(1)} s`);

    const requested = process.env.DATABASE_URL;
    if (requested && !/^(mysql|mariadb):\/\//.test(requested)) log(`DATABASE_URL=${requested.split(':')[0]}:… is not MySQL/MariaDB: using a temporary SQLite file instead`);
    this.database = await createBenchDatabase(requested);
    log(`database: ${this.database.description}`);
    this.configureEnvironment();
    const t1 = performance.now();
    await withServices(async () => undefined);
    log(`schema ready (the service's migrations, run by createApp in this process) in ${elapsed(t1).toFixed(1)} s`);

    if (this.only.has('token')) await this.tokenScenario();
    if (this.only.has('join-leave')) await this.joinLeaveScenario();
    if (this.only.has('my-calls')) await this.myCallsScenario();
    if (this.only.has('analytics')) await this.analyticsScenario();
    if (this.only.has('stage')) this.results.stage = await stageScenario(this, this.quick ? STAGE_QUICK : STAGE_FULL);

    return this.report();
  }

  /**
   * The environment of the in-process app and of every service process: the bench database,
   * warn-level logs, no Agora probe, no scheduled jobs (the sweeper would close the seeded
   * sessions, retention would purge the old calls), and explicit values for everything a
   * developer's .env could otherwise change under the bench.
   */
  private configureEnvironment(): void {
    Object.assign(process.env, {
      DATABASE_URL: this.database.serviceUrl,
      DB_MIGRATIONS_RUN: 'true',
      LOG_LEVEL: 'warn',
      AGORA_HEALTH_URL: 'off',
      JOBS_ENABLED: 'false',
      RATE_LIMIT_SCALE: '1',
      REDIS_URL: '',
      CORS_ORIGINS: '',
      AGORA_CUSTOMER_ID: '',
      AGORA_CUSTOMER_SECRET: '',
      AGORA_NCS_SECRET: '',
      // The bench signs its own JWTs, without issuer or audience.
      JWT_ISSUER: '',
      JWT_AUDIENCE: '',
    });
    if (process.env.NODE_ENV === 'test') process.env.NODE_ENV = 'development';
    const auth = loadAuthConfig();
    const agora = loadAgoraConfig();
    this.secret = auth.jwtSecret;
    // Pin what the baseline and the JWTs depend on, so the service cannot read something else.
    Object.assign(process.env, {
      JWT_SECRET: auth.jwtSecret,
      AGORA_APP_ID: agora.appId,
      AGORA_APP_CERTIFICATE: agora.appCertificate,
      AGORA_TOKEN_TTL_SECONDS: String(agora.tokenTtlSeconds),
    });
  }

  jwt(userId: number, role: 'user' | 'admin' = 'user'): string {
    const claims = role === 'admin' ? ikootaClaims(userId, 'none', 'admin') : ikootaClaims(userId, 'member');
    return `Bearer ${sign(claims, this.secret, { algorithm: 'HS256', expiresIn: '6h' })}`;
  }

  // --- processes --------------------------------------------------------------------------

  /**
   * bench/<name>.ts as plain JavaScript in the work folder: the baseline and the load generator
   * run on bare `node` (no ts-node compiler in their memory or their start-up), resolving
   * packages from the project's node_modules through NODE_PATH.
   */
  private script(name: 'load' | 'baseline-token-server' | 'nest-reference-token-server'): string {
    const out = join(this.work, `${name}.js`);
    if (!existsSync(out)) {
      const source = readFileSync(join(ROOT, 'bench', `${name}.ts`), 'utf8');
      // Legacy decorators with metadata, as Nest needs (the reference server).
      const compilerOptions = { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true };
      writeFileSync(out, transpileModule(source, { compilerOptions, fileName: `${name}.ts` }).outputText);
    }
    return out;
  }

  private get scriptEnv(): NodeJS.ProcessEnv {
    return { ...process.env, NODE_PATH: join(ROOT, 'node_modules') };
  }

  private async startService(label: string, rateLimitScale?: number, overrides: Record<string, string> = {}): Promise<ServerRun> {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), RATE_LIMIT_SCALE: String(rateLimitScale ?? 1), ...overrides };
    const since = performance.now();
    const loggedErrors = new Map<string, number>();
    // The node flags `npm start` runs the service with, so the bench measures what users run.
    const nodeArgs = [...START_NODE_ARGS, ...(process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
    const child = spawnChild(`service (${label})`, process.execPath, [...nodeArgs, 'dist/main.js'], { cwd: ROOT, env, echo: this.verbose, onLine: (line) => countError(loggedErrors, line) });
    const url = `http://127.0.0.1:${port}`;
    const coldStartMs = await waitFor200(child, `${url}/api/health`, since);
    this.coldStarts.push({ server: label, ms: round(coldStartMs, 0) });
    log(`service started for ${label} in ${round(coldStartMs, 0)} ms (spawn -> first 200 from /api/health)${rateLimitScale ? `; RATE_LIMIT_SCALE=${rateLimitScale}` : ''}`);
    return { child, loggedErrors, port, url, coldStartMs, rss: new PeakRss(child.pid) };
  }

  /** The plain node:http baseline, or the minimal Nest app (`nest-reference-token-server`). */
  private async startBaseline(admission: Record<string, number[]>, name: 'baseline-token-server' | 'nest-reference-token-server' = 'baseline-token-server'): Promise<ServerRun> {
    const port = await freePort();
    const file = join(this.work, 'admission.json');
    writeFileSync(file, JSON.stringify(admission));
    const env = { ...this.scriptEnv, PORT: String(port), ADMISSION_FILE: file };
    const since = performance.now();
    const child = spawnChild(name.replace(/-/g, ' '), process.execPath, [this.script(name)], { cwd: ROOT, env });
    const url = `http://127.0.0.1:${port}`;
    const coldStartMs = await waitFor200(child, `${url}/health`, since);
    return { child, loggedErrors: new Map(), port, url, coldStartMs, rss: new PeakRss(child.pid) };
  }

  /** Runs bench/load.ts against `server` and returns its result plus the server's peak RSS. */
  private async load(server: ServerRun, spec: LoadRequest): Promise<Measured> {
    const limitSec = spec.durationSec + (spec.warmup.durationSec ?? 0) + 120;
    const load = await this.runLoadGenerator({ ...spec, url: server.url, serverPid: server.child.process.pid }, limitSec);
    if (server.child.process.exitCode !== null) throw new Error(`${server.child.name} died during the load:\n${server.child.tail()}`);
    const serviceErrors = [...server.loggedErrors].map(([what, count]) => `${count}x ${what}`);
    server.loggedErrors.clear();
    return { load, rssMb: server.rss.peakMb(), serviceErrors };
  }

  private async withDb<T>(work: (db: BenchDb) => Promise<T>): Promise<T> {
    const db = await this.database.open();
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  }

  private noUnexpected(name: string, { load, serviceErrors }: Measured): void {
    const errors = load.unexpected + load.socketErrors;
    const logged = serviceErrors?.length ? `; the service logged: ${serviceErrors.join('; ')}` : '';
    this.check(
      `${name}: no unexpected errors`,
      errors === 0,
      errors === 0 ? `${load.requests} responses, statuses ${JSON.stringify(load.statuses)}` : `${load.unexpected} unexpected non-2xx, ${load.socketErrors} socket errors (${load.timeouts} time-outs); statuses ${JSON.stringify(load.statuses)}; e.g. ${load.unexpectedSamples[0] ?? '-'}${logged}`,
    );
  }

  private row(scenario: string, m: Measured, extra: Partial<Row> = {}): Row {
    const row: Row = {
      scenario,
      reqPerSec: m.load.reqPerSec,
      p50: m.load.latencyMs.p50,
      p99: m.load.latencyMs.p99,
      errors: m.load.unexpected + m.load.socketErrors,
      rssMb: m.rssMb,
      cpuUs: m.load.serverCpu?.usPerRequest,
      ...extra,
    };
    this.rows.push(row);
    return row;
  }

  // --- scenario 5 (bench/lib/stage-scenario.ts) ------------------------------------------

  /** One instance of the service for scenario 5, with its own environment on top of the bench's. */
  async startInstance(label: string, env: Record<string, string>): Promise<{ url: string; pid: number; stop(): Promise<void>; alive(): boolean; errors(): string[] }> {
    const run = await this.startService(label, undefined, env);
    return {
      url: run.url,
      pid: run.child.pid,
      stop: () => stopChild(run.child),
      alive: () => run.child.process.exitCode === null,
      errors: () => [...run.loggedErrors].map(([what, count]) => `${count}x ${what}`),
    };
  }

  /** Runs bench/load.ts once over `items` (kind `once`). */
  loadOnce(spec: { urls: string[]; items: OnceItem[]; connections: number; expectedCodes?: string[]; capture?: string; watchPids: Record<string, number>; limitSec: number }): Promise<LoadResult> {
    const { limitSec, ...rest } = spec;
    return this.runLoadGenerator({ kind: 'once', ...rest, url: spec.urls[0], durationSec: limitSec, warmup: {} }, limitSec);
  }

  /** Runs bench/load.ts on a LoadSpec (less its outFile), killed after `limitSec`; answers its LoadResult. */
  private async runLoadGenerator(spec: Omit<LoadSpec, 'outFile'>, limitSec: number): Promise<LoadResult> {
    this.loadCount += 1;
    const specFile = join(this.work, `load-${this.loadCount}.json`);
    const outFile = join(this.work, `load-${this.loadCount}.out.json`);
    writeFileSync(specFile, JSON.stringify({ ...spec, outFile }));
    const child = spawnChild('load generator', process.execPath, [this.script('load'), specFile], { cwd: ROOT, env: this.scriptEnv });
    const timer = setTimeout(() => child.process.kill('SIGKILL'), limitSec * 1000);
    const code = await child.exited;
    clearTimeout(timer);
    if (code !== 0) throw new Error(`load generator failed (exit ${code}):\n${child.tail()}`);
    return JSON.parse(readFileSync(outFile, 'utf8')) as LoadResult;
  }

  addRow(row: Row): void {
    this.rows.push(row);
  }

  log(message: string): void {
    log(message);
  }

  // --- scenario 1: tokens -----------------------------------------------------------------

  private async tokenScenario(): Promise<void> {
    const p = this.params.token;
    console.log(`\n[1] POST /api/calling/token: ${p.calls * p.perCall} members in ${p.calls} active calls (${p.perCall} each, all joined), ${p.connections} connections, ${p.durationSec} s`);
    const t0 = performance.now();
    const seed = await withServices((s) => seedTokenScenario(s, p.calls, p.perCall, IDS.token));
    log(`seeded through the services (users.resolve, calls.create, calls.join, tokens.issue) in ${elapsed(t0).toFixed(1)} s`);
    const items = seed.members.map((m) => ({ authorization: this.jwt(m.userId), path: '/api/calling/token', body: JSON.stringify({ channelName: m.channelName, uid: m.uid }) }));
    const spec = {
      kind: 'rotate' as const,
      method: 'POST' as const,
      items,
      connections: p.connections,
      durationSec: p.durationSec,
      warmup: { amount: items.length * p.warmupPasses },
    };

    log(`rate limits raised for this scenario: RATE_LIMIT_SCALE=${RAISED_RATE_LIMIT_SCALE} (token limit 60 -> ${60 * RAISED_RATE_LIMIT_SCALE} per minute per member), so the figure is the service's, not the limiter's refusals`);
    const service = await this.startService('token scenario', RAISED_RATE_LIMIT_SCALE);
    const svc = await this.measureTokens(service, 'service', items[0], spec);
    const baseline = await this.startBaseline(seed.admission);
    const base = await this.measureTokens(baseline, 'baseline', items[0], spec);
    const ref = await this.measureTokens(await this.startBaseline(seed.admission, 'nest-reference-token-server'), 'NestJS reference', items[0], spec);
    this.noUnexpected('token (service)', svc);
    this.noUnexpected('token (baseline)', base);
    this.noUnexpected('token (NestJS reference)', ref);

    const ratios = {
      reqPerSec: ratio(svc.load.reqPerSec, base.load.reqPerSec),
      reqPerSecVsReference: ratio(svc.load.reqPerSec, ref.load.reqPerSec),
      cpuVsReference: ratio(svc.load.serverCpu?.usPerRequest, ref.load.serverCpu?.usPerRequest),
      p50: ratio(svc.load.latencyMs.p50, base.load.latencyMs.p50),
      p99: ratio(svc.load.latencyMs.p99, base.load.latencyMs.p99),
      rss: ratio(svc.rssMb, base.rssMb),
      cpuPerRequest: ratio(svc.load.serverCpu?.usPerRequest, base.load.serverCpu?.usPerRequest),
    };
    this.row('1 token: service', svc, { notes: `RATE_LIMIT_SCALE=${RAISED_RATE_LIMIT_SCALE}` });
    this.row('1 token: baseline (node:http)', base, { notes: `cold start ${round(baseline.coldStartMs, 0)} ms` });
    this.row('1 token: NestJS reference', ref, { notes: 'the smallest Nest + Fastify app doing the baseline\'s work' });
    this.rows.push({ scenario: '1 token: reference / baseline', throughputNote: x(ratio(ref.load.reqPerSec, base.load.reqPerSec)), notes: `CPU/req ${x(ratio(ref.load.serverCpu?.usPerRequest, base.load.serverCpu?.usPerRequest))}: the framework's own ceiling` });
    this.rows.push({ scenario: '1 token: service / reference', throughputNote: x(ratio(svc.load.reqPerSec, ref.load.reqPerSec)), notes: `CPU/req ${x(ratio(svc.load.serverCpu?.usPerRequest, ref.load.serverCpu?.usPerRequest))}: what this service adds on top of Nest` });
    this.rows.push({
      scenario: '1 token: service / baseline',
      throughputNote: x(ratios.reqPerSec),
      notes: `p50 ${x(ratios.p50)}, p99 ${x(ratios.p99)}, RSS ${x(ratios.rss)}, CPU/req ${x(ratios.cpuPerRequest)} (latency, RSS, CPU: lower is better)`,
    });
    this.results.token = { members: items.length, calls: p.calls, connections: p.connections, durationSec: p.durationSec, rateLimitScale: RAISED_RATE_LIMIT_SCALE, service: svc, baseline: base, nestReference: ref, ratios };
  }

  /** Checks a token server's answer, puts it under the token load, and stops it. */
  private async measureTokens(server: ServerRun, who: string, item: RotateItem, spec: LoadRequest): Promise<Measured> {
    try {
      await this.sameAnswer(server.url, item, who);
      return await this.load(server, spec);
    } finally {
      await stopChild(server.child);
    }
  }

  /** One request to `url` answers like the spec says (the same shape from service and baseline). */
  private async sameAnswer(url: string, item: { authorization: string; path: string; body?: string }, who: string): Promise<void> {
    const res = await fetch(`${url}${item.path}`, { method: 'POST', headers: { authorization: item.authorization, 'content-type': 'application/json' }, body: item.body });
    const body = (await res.json()) as Record<string, unknown>;
    const asked = JSON.parse(item.body ?? '{}') as { channelName: string; uid: number };
    const ok =
      res.status === 200 &&
      typeof body.token === 'string' &&
      body.token.startsWith('007') &&
      body.appId === process.env.AGORA_APP_ID &&
      body.channelName === asked.channelName &&
      body.uid === asked.uid &&
      typeof body.expiresAt === 'number' &&
      // The spec's five fields; the service's answer may add `role` (issue 25: additive).
      Object.keys(body).filter((key) => key !== 'role').sort().join() === 'appId,channelName,expiresAt,token,uid' &&
      (body.role === undefined || body.role === 'publisher' || body.role === 'subscriber');
    this.check(`token (${who}): answer has the spec's shape`, ok, ok ? '{ token: "007…", appId, channelName, uid, expiresAt }' : `${res.status} ${JSON.stringify(body).slice(0, 300)}`);
  }

  // --- scenario 2: join + leave -----------------------------------------------------------

  private async joinLeaveScenario(): Promise<void> {
    const p = this.params.joinLeave;
    console.log(
      `\n[2] join + leave cycles: ${p.churners} members over ${p.calls} public calls (maxParticipants ${p.cap}, ${p.seated} seated in each, so ${p.cap - p.seated} slots to fight for), ${p.connections} connections, ${p.durationSec} s`,
    );
    const t0 = performance.now();
    const seed = await withServices((s) => seedJoinLeaveScenario(s, { calls: p.calls, cap: p.cap, seated: p.seated, churners: p.churners, firstUserId: IDS.joinLeave }));
    log(`seeded through the services (${p.calls * p.seated} seated joins) in ${elapsed(t0).toFixed(1)} s; rate limits as configured (RATE_LIMIT_SCALE=1)`);
    const items = seed.churn.map((c) => ({ authorization: this.jwt(c.userId), callId: c.callId }));
    const service = await this.startService('join-leave scenario');
    let m: Measured;
    try {
      m = await this.load(service, { kind: 'join-leave', items, connections: p.connections, durationSec: p.durationSec, warmup: { durationSec: p.warmupSec } });
    } finally {
      await stopChild(service.child);
    }
    this.noUnexpected('join-leave', m);

    // Afterwards, with the service stopped: the cap held, and the live head count is right.
    const state = await this.withDb((db) =>
      db.query<{ id: number; max_participants: number; active_participants: number; peak_participants: number; open_sessions: number | string }>(
        `SELECT c.id, c.max_participants, c.active_participants, c.peak_participants,
                (SELECT COUNT(*) FROM call_sessions s WHERE s.call_id = c.id AND s.open = 1) AS open_sessions
           FROM calls c WHERE c.id IN (${seed.callIds.map(Number).join(',')})`,
      ),
    );
    const over = state.filter((c) => Number(c.peak_participants) > p.cap || Number(c.active_participants) > p.cap);
    const miscounted = state.filter((c) => Number(c.active_participants) !== Number(c.open_sessions));
    const atCap = state.filter((c) => Number(c.peak_participants) === p.cap).length;
    const maxPeak = Math.max(...state.map((c) => Number(c.peak_participants)));
    this.check(
      'join-leave: no call ever held more than its cap',
      state.length === p.calls && over.length === 0,
      over.length === 0 ? `peak_participants <= ${p.cap} in all ${state.length} calls (highest ${maxPeak}; ${atCap} calls reached the cap)` : `over the cap: ${JSON.stringify(over.slice(0, 5))}`,
    );
    this.check(
      'join-leave: active_participants equals the open sessions',
      miscounted.length === 0,
      miscounted.length === 0 ? `in all ${state.length} calls` : `miscounted: ${JSON.stringify(miscounted.slice(0, 5))}`,
    );
    const jl = m.load.joinLeave!;
    this.row('2 join+leave (cycles)', m, {
      throughputNote: `${Math.round(jl.cyclesPerSec).toLocaleString('en-US')} cyc/s`,
      notes:
        `${Math.round(m.load.reqPerSec).toLocaleString('en-US')} req/s; ${jl.callFull.toLocaleString('en-US')} joins refused CALL_FULL (expected, not errors)` +
        `${jl.failedLeaves ? `; ${jl.failedLeaves.toLocaleString('en-US')} failed leaves (retried up to 3 times)` : ''}; cap reached in ${atCap}/${p.calls} calls, ${over.length === 0 ? 'never exceeded' : 'EXCEEDED'}`,
    });
    this.results.joinLeave = { ...p, load: m.load, rssMb: m.rssMb, cyclesPerSec: jl.cyclesPerSec, callFull: jl.callFull, callsAtCap: atCap, highestPeak: maxPeak, capHeld: over.length === 0, headCountRight: miscounted.length === 0 };
  }

  // --- scenario 3: my-calls ---------------------------------------------------------------

  private async myCallsScenario(): Promise<void> {
    const p = this.params.myCalls;
    const path = `/api/calling/my-calls?limit=${p.callsEach}`;
    console.log(`\n[3] GET ${path}: ${p.members} members with ${p.callsEach} calls each, ${p.connections} connections, ${p.durationSec} s`);
    const t0 = performance.now();
    const members = await withServices((s) => seedMyCallsScenario(s, p.members, p.callsEach, IDS.myCalls));
    log(`seeded through the services (calls.create, calls.invite, calls.end) in ${elapsed(t0).toFixed(1)} s; rate limits as configured`);
    const items = members.map((id) => ({ authorization: this.jwt(id), path }));
    const service = await this.startService('my-calls scenario');
    let m: Measured;
    try {
      const res = await fetch(`${service.url}${path}`, { headers: { authorization: items[0].authorization } });
      const list = (await res.json()) as unknown[];
      this.check('my-calls: a member sees all their calls', res.status === 200 && Array.isArray(list) && list.length === p.callsEach, `${res.status}, ${Array.isArray(list) ? list.length : '?'} rows`);
      m = await this.load(service, { kind: 'rotate', method: 'GET', items, connections: p.connections, durationSec: p.durationSec, warmup: { amount: items.length } });
    } finally {
      await stopChild(service.child);
    }
    this.noUnexpected('my-calls', m);
    this.row('3 my-calls (50 calls each)', m, { notes: `limit=${p.callsEach}` });
    this.results.myCalls = { ...p, path, load: m.load, rssMb: m.rssMb };
  }

  // --- scenario 4: analytics --------------------------------------------------------------

  private async analyticsScenario(): Promise<void> {
    const p = this.params.analytics;
    console.log(
      `\n[4] GET /api/calling/admin/analytics?days=90 (groupBy day and week) over ${p.sizes.map((n) => n.toLocaleString('en-US')).join(' and ')} seeded sessions, ${p.connections} connection (one admin at a time), ${p.durationSec} s each`,
    );
    log(`rate limits raised for this scenario: RATE_LIMIT_SCALE=${RAISED_RATE_LIMIT_SCALE} (analytics limit 20 -> ${20 * RAISED_RATE_LIMIT_SCALE} per minute per admin); one admin id`);
    const state: AnalyticsSeedState = emptyAnalyticsState();
    const admin = this.jwt(IDS.admin, 'admin');
    const perSize: Array<{ sessions: number; users: number; seedSec: number; rows: number; day: Measured; week: Measured }> = [];
    for (const [index, size] of p.sizes.entries()) {
      const t0 = performance.now();
      const { rows } = await this.withDb(async (db) => {
        if (db.kind === 'sqlite') await db.exec('PRAGMA synchronous = OFF');
        return growAnalyticsDataSet(db, state, size, 90_000 + index);
      });
      const seedSec = elapsed(t0);
      log(`seeded ${size.toLocaleString('en-US')} sessions in bulk (${state.calls.toLocaleString('en-US')} ended calls, ${state.users.toLocaleString('en-US')} members, ${rows.toLocaleString('en-US')} rows written now) in ${seedSec.toFixed(1)} s`);
      const service = await this.startService(`analytics @${size.toLocaleString('en-US')}`, RAISED_RATE_LIMIT_SCALE);
      const measured: Partial<Record<'day' | 'week', Measured>> = {};
      try {
        await this.analyticsMatchesRawRows(service.url, admin, index === 0);
        for (const groupBy of ['day', 'week'] as const) {
          const items = [{ authorization: admin, path: `/api/calling/admin/analytics?days=90&groupBy=${groupBy}` }];
          measured[groupBy] = await this.load(service, { kind: 'rotate', method: 'GET', items, connections: p.connections, durationSec: p.durationSec, warmup: { amount: 5 } });
          this.noUnexpected(`analytics @${size} groupBy=${groupBy}`, measured[groupBy]!);
        }
      } finally {
        await stopChild(service.child);
      }
      perSize.push({ sessions: size, users: state.users, seedSec, rows, day: measured.day!, week: measured.week! });
      for (const groupBy of ['day', 'week'] as const) this.row(`4 analytics ${groupBy} @${short(size)} sessions`, measured[groupBy]!, { notes: `days=90&groupBy=${groupBy}; ${measured[groupBy]!.load.requests} requests; RATE_LIMIT_SCALE=${RAISED_RATE_LIMIT_SCALE}` });
    }
    const growth = (groupBy: 'day' | 'week'): number | undefined =>
      perSize.length >= 2 ? ratio(perSize[perSize.length - 1][groupBy].load.latencyMs.p50, perSize[0][groupBy].load.latencyMs.p50) : undefined;
    const label = perSize.length >= 2 ? `${short(perSize[perSize.length - 1].sessions)}/${short(perSize[0].sessions)}` : '';
    this.rows.push({ scenario: `4 analytics p50 ${label}`, notes: `day ${x(growth('day'))}, week ${x(growth('week'))}` });
    this.results.analytics = {
      connections: p.connections,
      durationSec: p.durationSec,
      rateLimitScale: RAISED_RATE_LIMIT_SCALE,
      sessionsPerMember: SESSIONS_PER_MEMBER,
      sizes: perSize,
      p50Growth: { day: growth('day'), week: growth('week') },
    };
  }

  /**
   * The report the service computes from its aggregates agrees with the raw rows: calls created
   * in the window, participants (members' first sessions in a call) in it, distinct members within
   * the sketches' 2%, and (with `minutes`) the audio and video minutes of every closed segment,
   * clipped to the window.
   */
  private async analyticsMatchesRawRows(url: string, admin: string, minutes: boolean): Promise<void> {
    const res = await fetch(`${url}/api/calling/admin/analytics?days=90`, { headers: { authorization: admin } });
    const report = (await res.json()) as { summary?: { totalCalls: number; totalParticipants: number; uniqueMembers: number; totalAudioMinutes: number; totalVideoMinutes: number } };
    const from = Date.parse(`${utcDay(Date.now() - 89 * DAY)}T00:00:00.000Z`);
    const fromSql = `${utcDay(from)} 00:00:00.000`;
    const raw = await this.withDb(async (db) => {
      const [calls] = await db.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM calls WHERE created_at >= ?', [fromSql]);
      const [members] = await db.query<{ n: number | string }>('SELECT COUNT(DISTINCT user_id) AS n FROM call_sessions WHERE joined_at >= ?', [fromSql]);
      const [participants] = await db.query<{ n: number | string }>(
        'SELECT COUNT(*) AS n FROM (SELECT MIN(joined_at) AS first_join FROM call_sessions GROUP BY call_id, user_id) p WHERE p.first_join >= ?',
        [fromSql],
      );
      let audioMs = 0;
      let videoMs = 0;
      if (minutes) {
        const segments = await db.query<{ media: string; started_at: string; ended_at: string }>(
          'SELECT media, started_at, ended_at FROM call_media_segments WHERE ended_at IS NOT NULL AND ended_at >= ?',
          [fromSql],
        );
        const ms = (text: string): number => Date.parse(`${text.replace(' ', 'T')}Z`);
        for (const s of segments) {
          const length = ms(s.ended_at) - Math.max(ms(s.started_at), from);
          if (s.media === 'audio') audioMs += length;
          else videoMs += length;
        }
      }
      return { calls: Number(calls.n), participants: Number(participants.n), members: Number(members.n), audioMinutes: Math.round(audioMs / 600) / 100, videoMinutes: Math.round(videoMs / 600) / 100 };
    });
    const s = report.summary;
    const ok =
      res.status === 200 &&
      s !== undefined &&
      s.totalCalls === raw.calls &&
      s.totalParticipants === raw.participants &&
      Math.abs(s.uniqueMembers - raw.members) <= Math.ceil(raw.members * 0.02) &&
      (!minutes || (s.totalAudioMinutes === raw.audioMinutes && s.totalVideoMinutes === raw.videoMinutes));
    this.check(
      `analytics: report matches the raw rows${minutes ? ' (calls, participants, members, minutes)' : ' (calls, participants, members)'}`,
      ok,
      `report ${JSON.stringify(s ?? report)} vs raw ${JSON.stringify(minutes ? raw : { calls: raw.calls, participants: raw.participants, members: raw.members })}`,
    );
  }

  // --- output -----------------------------------------------------------------------------

  private report(): number {
    const totalSec = elapsed(this.startedAt);
    const machine = { cpu: cpus()[0]?.model ?? 'unknown', cpus: cpus().length, totalMemoryMb: Math.round(totalmem() / 1024 / 1024), node: process.version, os: `${osType()} ${release()}` };
    // Issue 6's cold-start target is the default start (SQLite, no Redis); scenario 5's instances start on MariaDB with Redis and are listed apart.
    const defaultStarts = this.coldStarts.filter((c) => !c.server.startsWith(BIG_CALLS_LABEL));
    const bigCallStarts = this.coldStarts.filter((c) => c.server.startsWith(BIG_CALLS_LABEL));
    const maxCold = defaultStarts.length ? Math.max(...defaultStarts.map((c) => c.ms)) : undefined;
    this.rows.push({ scenario: 'cold start (spawn -> 200 /api/health)', notes: defaultStarts.map((c) => `${c.ms} ms`).join(', ') + (maxCold !== undefined ? `; max ${maxCold} ms` : '') + (bigCallStarts.length ? `; on MariaDB + Redis (scenario 5): ${bigCallStarts.map((c) => `${c.ms} ms`).join(', ')}` : '') });

    console.log(`\n=== Results: ${this.database.kind}, ${this.quick ? 'quick' : 'full'} mode, ${totalSec.toFixed(0)} s ===`);
    console.log(`machine: ${machine.cpu}, ${machine.cpus} CPUs, ${machine.totalMemoryMb} MB, Node ${machine.node}, ${machine.os}`);
    console.log(`database: ${this.database.description}${Object.keys(this.database.server).length ? ` (${Object.entries(this.database.server).map(([k, v]) => `${k}=${v}`).join(', ')})` : ''}`);
    console.log('load: autocannon in a separate process on the same machine; latencies in ms; errors = unexpected non-2xx + socket errors\n');
    console.log(formatTable(this.rows));

    const marks = this.quick ? [] : this.targetMarks(maxCold);
    if (this.quick) console.log('\nTargets are not evaluated in --quick mode (tiny data set, 2 s runs); run `npm run bench` for them.');
    else console.log(`\n${formatMarks('Targets (issues 6 and 25):', marks)}`);

    const failed = this.checks.filter((c) => !c.ok);
    console.log(`\nCorrectness checks: ${this.checks.length - failed.length}/${this.checks.length} passed`);
    for (const c of this.checks) console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}${c.ok ? '' : `: ${c.detail}`}`);

    const dir = join(ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${this.database.kind}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          mode: this.quick ? 'quick' : 'full',
          machine,
          database: { kind: this.database.kind, description: this.database.description, server: this.database.server },
          autocannon: (require('autocannon/package.json') as { version: string }).version,
          totalSeconds: round(totalSec, 1),
          coldStartsMs: this.coldStarts,
          scenarios: this.results,
          table: this.rows,
          targets: marks,
          checks: this.checks,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nwrote ${file.replace(`${ROOT}/`, '')}`);
    return failed.length === 0 ? 0 : 1;
  }

  private targetMarks(maxCold: number | undefined): Mark[] {
    const marks: Mark[] = [];
    const tok = this.results.token as { service: Measured; ratios: { reqPerSecVsReference?: number; cpuVsReference?: number } } | undefined;
    if (tok) {
      marks.push({ name: 'token req/s vs NestJS reference', target: `>= ${TARGETS.tokenVsReference}x`, measured: x(tok.ratios.reqPerSecVsReference), pass: (tok.ratios.reqPerSecVsReference ?? 0) >= TARGETS.tokenVsReference });
      marks.push({
        name: 'token CPU/req vs NestJS reference',
        target: `<= ${TARGETS.tokenCpuVsReference}x`,
        measured: x(tok.ratios.cpuVsReference),
        pass: tok.ratios.cpuVsReference !== undefined && tok.ratios.cpuVsReference <= TARGETS.tokenCpuVsReference,
      });
      marks.push({ name: 'token p99', target: `<= ${TARGETS.tokenP99Ms} ms`, measured: `${tok.service.load.latencyMs.p99} ms`, pass: tok.service.load.latencyMs.p99 <= TARGETS.tokenP99Ms });
      marks.push({ name: 'token peak RSS', target: `<= ${TARGETS.tokenRssMb} MB`, measured: `${round(tok.service.rssMb ?? NaN, 0)} MB`, pass: tok.service.rssMb !== undefined && tok.service.rssMb <= TARGETS.tokenRssMb });
    }
    const jl = this.results.joinLeave as { cyclesPerSec: number; capHeld: boolean } | undefined;
    if (jl) {
      const target = this.database.kind === 'mariadb' ? TARGETS.joinLeaveCyclesPerSec.mariadb : TARGETS.joinLeaveCyclesPerSec.sqlite;
      marks.push({
        name: 'join+leave cycles/s',
        target: `>= ${target.toLocaleString('en-US')} (${this.database.kind === 'mariadb' ? 'MariaDB' : 'SQLite'})`,
        measured: `${Math.round(jl.cyclesPerSec).toLocaleString('en-US')} cycles/s`,
        pass: jl.cyclesPerSec >= target,
      });
      marks.push({ name: 'join+leave cap never exceeded', target: 'peak <= 25', measured: jl.capHeld ? 'held' : 'EXCEEDED', pass: jl.capHeld });
    }
    const an = this.results.analytics as { sizes: Array<{ sessions: number; day: Measured; week: Measured }>; p50Growth: { day?: number; week?: number } } | undefined;
    if (an && an.sizes.length > 0) {
      const last = an.sizes[an.sizes.length - 1];
      for (const groupBy of ['day', 'week'] as const) {
        const p50 = last[groupBy].load.latencyMs.p50;
        marks.push({ name: `analytics p50 @${short(last.sessions)} (${groupBy})`, target: `<= ${TARGETS.analyticsP50Ms} ms`, measured: `${p50} ms`, pass: p50 <= TARGETS.analyticsP50Ms });
      }
      for (const groupBy of ['day', 'week'] as const) {
        const growth = an.p50Growth[groupBy];
        marks.push({ name: `analytics p50 ${short(last.sessions)}/${short(an.sizes[0].sessions)} (${groupBy})`, target: `<= ${TARGETS.analyticsGrowth}x`, measured: x(growth), pass: growth !== undefined && growth <= TARGETS.analyticsGrowth });
      }
    }
    marks.push(...stageMarks(this.results.stage as StageResults | undefined));
    if (maxCold !== undefined) marks.push({ name: 'cold start (worst of all starts)', target: `< ${TARGETS.coldStartMs} ms`, measured: `${maxCold} ms`, pass: maxCold < TARGETS.coldStartMs });
    return marks;
  }

  /** Removes what the run made: children, temporary files, the bench database. */
  async cleanup(): Promise<void> {
    await stopAllChildren();
    if (this.work) rmSync(this.work, { recursive: true, force: true });
    if (this.database) {
      try {
        await this.database.remove();
      } catch (error) {
        console.error(`could not remove the bench database: ${(error as Error).message}`);
      }
    }
  }
}

const short = (n: number): string => (n >= 1_000_000 ? `${n / 1_000_000}M` : n >= 1_000 ? `${n / 1_000}k` : String(n));

async function main(): Promise<void> {
  let bench: Bench | undefined;
  let cleaning: Promise<void> | undefined;
  let interrupted = false;
  const cleanup = (): Promise<void> => (cleaning ??= bench ? bench.cleanup() : stopAllChildren());
  const bail = (code: number): void => void cleanup().finally(() => process.exit(code));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the bench and cleaning up`);
      bail(130);
    });
  }
  // Output piped into something that stops reading (| head) must not kill the run before it cleans up.
  process.stdout.on('error', () => undefined);
  process.on('uncaughtException', (error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    bail(1);
  });
  process.once('exit', killAllChildren);
  let code = 1;
  try {
    bench = new Bench(process.argv.slice(2));
    code = await bench.run();
  } catch (error) {
    if (!interrupted) console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    code = 1;
  } finally {
    await cleanup();
  }
  process.exit(interrupted ? 130 : code);
}

void main();
