/**
 * Scenario 5 (issue 25): big calls on two instances of the service, MariaDB with Redis.
 *
 * Three cases side by side, in one run and on the same two instances (started once, so the small
 * cases also warm them up): a conference call joined by 500 members, 500 members spread over 50
 * calls, and a stage joined by 10,000 listeners. Each case sends every member's join once (50
 * clients at once, half on each instance, a member always on the same instance), then every
 * member's token request, then every leave, and reports each phase (req/s, p50, p99) and the open
 * sessions after the joins. On the stage, between the joins and the tokens: one listener past the
 * cap (CALL_FULL), the host promoting more listeners than there are speaker seats, concurrently on
 * both instances (exactly the free seats are given, the rest get SPEAKERS_FULL), and a few
 * removals; the participation invariants are checked after the joins and at the end.
 *
 * It needs MariaDB and Redis: the bench's own MariaDB database when the bench runs on one, else a
 * database of its own on BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306), and Redis at
 * BENCH_REDIS_URL (default redis://127.0.0.1:6379). Without them it is skipped with a line saying so.
 */
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { PARTICIPATION_INVARIANTS } from '../../test/support/invariants';
import { BenchDatabase, BenchDb, createBenchDatabase } from './db';
import type { LoadResult, OnceItem } from './load-spec';
import { member, withServices } from './service-seed';
import { elapsed, pool, round } from './util';

export interface StageParams {
  listeners: number;
  maxSpeakers: number;
  conference: number;
  spread: { members: number; calls: number };
  connections: number;
  removals: number;
  /** Members who join, take a token and leave (in 10 calls) before anything is measured, so no case pays for the instances' warm-up. */
  warmup: number;
}

export const STAGE_FULL: StageParams = { listeners: 10_000, maxSpeakers: 16, conference: 500, spread: { members: 500, calls: 50 }, connections: 50, removals: 5, warmup: 1_000 };
export const STAGE_QUICK: StageParams = { listeners: 1_000, maxSpeakers: 16, conference: 100, spread: { members: 100, calls: 10 }, connections: 50, removals: 3, warmup: 100 };

/** Issue 25's targets for the stage's listener joins (full mode). */
export const STAGE_TARGETS = { joinsWithinSec: 20, joinsPerSec: 500, p99Ms: 250 };

/** The label of scenario 5's service instances (their cold starts are reported apart). */
export const BIG_CALLS_LABEL = 'big calls';

export interface StageResults {
  params: StageParams;
  cases: CaseResult[];
}

/** Issue 25's targets, measured (the correctness checks, cap and invariants, are checks of their own). */
export function stageMarks(results: StageResults | undefined): Array<{ name: string; target: string; measured: string; pass: boolean }> {
  const stage = results?.cases.find((c) => c.name.startsWith('stage'));
  if (!stage) return [];
  const j = stage.joins;
  const n = stage.members.toLocaleString('en-US');
  return [
    { name: `stage: ${n} listener joins complete within`, target: `<= ${STAGE_TARGETS.joinsWithinSec} s`, measured: `${round(j.durationSec, 1)} s`, pass: j.durationSec <= STAGE_TARGETS.joinsWithinSec },
    { name: 'stage: listener joins/s', target: `>= ${STAGE_TARGETS.joinsPerSec}`, measured: `${Math.round(j.reqPerSec)}/s`, pass: j.reqPerSec >= STAGE_TARGETS.joinsPerSec },
    { name: 'stage: listener join p99', target: `<= ${STAGE_TARGETS.p99Ms} ms`, measured: `${j.latencyMs.p99} ms`, pass: j.latencyMs.p99 <= STAGE_TARGETS.p99Ms },
    { name: 'stage: no 5xx, nothing unexpected (join, token, leave)', target: '0', measured: String(j.unexpected + j.socketErrors + stage.tokens.unexpected + stage.leaves.unexpected), pass: j.unexpected + j.socketErrors + stage.tokens.unexpected + stage.leaves.unexpected === 0 },
  ];
}

/** What scenario 5 needs from the bench (bench/run.ts). */
export interface StageBenchHost {
  readonly quick: boolean;
  readonly database: BenchDatabase;
  jwt(userId: number, role?: 'user' | 'admin'): string;
  startInstance(label: string, env: Record<string, string>): Promise<{ url: string; pid: number; stop(): Promise<void>; alive(): boolean; errors(): string[] }>;
  loadOnce(spec: { urls: string[]; items: OnceItem[]; connections: number; expectedCodes?: string[]; capture?: string; watchPids: Record<string, number>; limitSec: number }): Promise<LoadResult>;
  check(name: string, ok: boolean, detail: string): void;
  addRow(row: { scenario: string; reqPerSec?: number; p50?: number; p99?: number; errors?: number; notes?: string }): void;
  log(message: string): void;
}

interface CaseResult {
  name: string;
  members: number;
  calls: number;
  joins: LoadResult;
  tokens: LoadResult;
  leaves: LoadResult;
  openAfterJoins: number;
  /** Join transactions and the joins in them (`calling_join_group_size`), both instances. */
  grouping: { transactions: number; joins: number };
}

const IDS = { conference: 2_000_001, spread: 2_100_001, stage: 2_200_001, warmup: 2_800_001, hosts: 2_900_001 };
const WARMUP_CALLS = 10;
/** The instances' /metrics token (group sizes are read there). */
const METRICS_TOKEN = 'bench-metrics-token-5f0c2a9e';

/** The join groups' histogram summed over the instances: transactions and the joins in them. */
async function joinGroups(urls: string[]): Promise<{ groups: number; joins: number }> {
  let groups = 0;
  let joins = 0;
  for (const url of urls) {
    const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    groups += Number(/^calling_join_group_size_count (\S+)$/m.exec(text)?.[1] ?? 0);
    joins += Number(/^calling_join_group_size_sum (\S+)$/m.exec(text)?.[1] ?? 0);
  }
  return { groups, joins };
}

/** Runs scenario 5; returns what it measured (for the results file), or undefined when skipped. */
export async function stageScenario(host: StageBenchHost, p: StageParams): Promise<Record<string, unknown> | undefined> {
  console.log(
    `\n[5] big calls on two instances (MariaDB + Redis): a stage of ${p.listeners.toLocaleString('en-US')} listeners, next to a conference call of ${p.conference} and ${p.spread.members} members over ${p.spread.calls} calls; join, token, leave, ${p.connections} clients`,
  );
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const missing = await missingRedis(redisUrl);
  if (missing) {
    host.log(`skipped: Redis at ${redisUrl} does not answer (${missing}); set BENCH_REDIS_URL`);
    return undefined;
  }
  let database = host.database.kind === 'mariadb' ? host.database : undefined;
  let own: BenchDatabase | undefined;
  if (!database) {
    const url = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';
    try {
      own = await createBenchDatabase(url);
      database = own;
    } catch (error) {
      host.log(`skipped: no MariaDB/MySQL at ${url.replace(/\/\/[^@]*@/, '//')} (${(error as Error).message}); set BENCH_MYSQL_URL`);
      return undefined;
    }
  }
  host.log(`database: ${database.description}; Redis ${redisUrl}`);
  const savedUrl = process.env.DATABASE_URL;
  try {
    process.env.DATABASE_URL = database.serviceUrl;
    return await run(host, p, database, redisUrl);
  } finally {
    process.env.DATABASE_URL = savedUrl;
    await own?.remove();
  }
}

async function run(host: StageBenchHost, p: StageParams, database: BenchDatabase, redisUrl: string): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const seeded = await withServices(async (s) => {
    const people = [
      ...range(IDS.conference, p.conference + 1),
      ...range(IDS.spread, p.spread.members),
      ...range(IDS.stage, p.listeners + 1),
      ...range(IDS.warmup, p.warmup),
      ...range(IDS.hosts, 2 + p.spread.calls + WARMUP_CALLS),
    ];
    await pool(people, 16, async (id) => void (await member(s, id)));
    const hostOf = (i: number) => member(s, IDS.hosts + i);
    const conference = await s.calls.create(await hostOf(0), { title: 'Bench conference', isPublic: true, maxParticipants: p.conference });
    const stage = await s.calls.create(await hostOf(1), { title: 'Bench town hall', isPublic: true, maxParticipants: p.listeners, mode: 'stage', maxSpeakers: p.maxSpeakers });
    const spread: Array<{ callId: number; channelName: string }> = [];
    for (let c = 0; c < p.spread.calls; c += 1) {
      const call = await s.calls.create(await hostOf(2 + c), { title: `Bench small call ${c + 1}`, isPublic: true, maxParticipants: 25 });
      spread.push({ callId: call.callId, channelName: call.channelName });
    }
    const warmup: Array<{ callId: number; channelName: string }> = [];
    for (let c = 0; c < WARMUP_CALLS; c += 1) {
      const call = await s.calls.create(await hostOf(2 + p.spread.calls + c), { title: `Bench warm-up call ${c + 1}`, isPublic: true, maxParticipants: 500 });
      warmup.push({ callId: call.callId, channelName: call.channelName });
    }
    return { warmup, conference: { callId: conference.callId, channelName: conference.channelName }, stage: { callId: stage.callId, channelName: stage.channelName }, spread };
  });
  host.log(`seeded ${(p.conference + p.spread.members + p.listeners).toLocaleString('en-US')} members (users.resolve, so each already has a users row) and ${p.spread.calls + 2} calls in ${elapsed(t0).toFixed(1)} s`);

  const env = { DATABASE_URL: database.serviceUrl, REDIS_URL: redisUrl, RATE_LIMIT_SCALE: '1', METRICS_TOKEN };
  const a = await host.startInstance(`${BIG_CALLS_LABEL}, instance A`, env);
  const b = await host.startInstance(`${BIG_CALLS_LABEL}, instance B`, env);
  const urls = [a.url, b.url];
  const mariadbPid = mariadbdPid();
  const watchPids: Record<string, number> = { 'instance A': a.pid, 'instance B': b.pid, ...(mariadbPid ? { mariadbd: mariadbPid } : {}) };
  const db = await database.open();
  try {
    const cases: CaseResult[] = [];
    const warmupMembers = range(IDS.warmup, p.warmup).map((userId, i) => ({ userId, ...seededCall(seeded.warmup[i % seeded.warmup.length]) }));
    const warm = await runCase(host, 'warm-up', warmupMembers, WARMUP_CALLS, { urls, watchPids, connections: p.connections, db });
    host.log(`warm-up (not reported): ${p.warmup} members joined, took a token and left in ${WARMUP_CALLS} calls (${Math.round(warm.joins.reqPerSec)} joins/s)`);
    const conferenceMembers = range(IDS.conference, p.conference).map((userId) => ({ userId, ...seededCall(seeded.conference) }));
    cases.push(await runCase(host, 'conference call', conferenceMembers, 1, { urls, watchPids, connections: p.connections, db }));
    const spreadMembers = range(IDS.spread, p.spread.members).map((userId, i) => ({ userId, ...seededCall(seeded.spread[i % seeded.spread.length]) }));
    cases.push(await runCase(host, `${p.spread.calls} calls`, spreadMembers, p.spread.calls, { urls, watchPids, connections: p.connections, db }));
    const listeners = range(IDS.stage, p.listeners).map((userId) => ({ userId, ...seededCall(seeded.stage) }));
    const stageHost = host.jwt(IDS.hosts + 1);
    const stage = await runCase(host, 'stage (listeners)', listeners, 1, {
      urls,
      watchPids,
      connections: p.connections,
      db,
      afterJoins: async () => {
        await stageChecks(host, { urls, stage: seeded.stage, stageHost, listeners: listeners.map((l) => l.userId), extra: IDS.stage + p.listeners, maxSpeakers: p.maxSpeakers, removals: p.removals, db });
      },
    });
    cases.push(stage);
    await invariantsHold(host, db, 'at the end');
    for (const run of [a, b]) if (!run.alive()) host.check('big calls: both instances ran to the end', false, 'an instance exited');
    const logged = [...a.errors(), ...b.errors()];
    host.check('big calls: the instances logged no errors', logged.length === 0, logged.slice(0, 5).join('; ') || 'none');

    for (const c of cases) {
      // CPU per request: both instances together (each served half), and MariaDB's.
      const share = (r: LoadResult) => {
        const per = (sec: number) => `${round((sec * 1000) / Math.max(1, r.requests), 2)} ms`;
        const service = Object.entries(r.cpu ?? {}).filter(([who]) => who.startsWith('instance')).reduce((sum, [, sec]) => sum + sec, 0);
        return `service ${per(service)}${r.cpu?.mariadbd !== undefined ? `, MariaDB ${per(r.cpu.mariadbd)}` : ''}`;
      };
      host.addRow({ scenario: `5 ${c.name}: join`, reqPerSec: c.joins.reqPerSec, p50: c.joins.latencyMs.p50, p99: c.joins.latencyMs.p99, errors: c.joins.unexpected + c.joins.socketErrors, notes: `${c.members} joins in ${round(c.joins.durationSec, 1)} s; open sessions after: ${c.openAfterJoins}; ${round(c.grouping.joins / Math.max(1, c.grouping.transactions), 1)} joins per transaction; CPU/join: ${share(c.joins)}` });
      host.addRow({ scenario: `5 ${c.name}: token`, reqPerSec: c.tokens.reqPerSec, p50: c.tokens.latencyMs.p50, p99: c.tokens.latencyMs.p99, errors: c.tokens.unexpected + c.tokens.socketErrors, notes: `CPU/token: ${share(c.tokens)}` });
      host.addRow({ scenario: `5 ${c.name}: leave`, reqPerSec: c.leaves.reqPerSec, p50: c.leaves.latencyMs.p50, p99: c.leaves.latencyMs.p99, errors: c.leaves.unexpected + c.leaves.socketErrors, notes: `CPU/leave: ${share(c.leaves)}` });
    }
    const results: StageResults = { params: p, cases };
    return results as unknown as Record<string, unknown>;
  } finally {
    await db.close();
    await Promise.all([a.stop(), b.stop()]);
  }
}

interface CaseContext {
  urls: string[];
  watchPids: Record<string, number>;
  connections: number;
  db: BenchDb;
  afterJoins?: () => Promise<void>;
}

/** One case: every member joins (measured), then takes a token, then leaves. */
async function runCase(host: StageBenchHost, name: string, members: Array<{ userId: number; callId: number; channelName: string }>, calls: number, ctx: CaseContext): Promise<CaseResult> {
  const auth = members.map((m) => host.jwt(m.userId));
  const target = (i: number) => i % ctx.urls.length;
  const limitSec = 60 + members.length / 20;
  const groupsBefore = await joinGroups(ctx.urls);
  const joins = await host.loadOnce({
    urls: ctx.urls,
    items: members.map((m, i) => ({ target: target(i), method: 'POST', path: `/api/calling/${m.callId}/join`, authorization: auth[i], body: '{"media":"audio"}' })),
    connections: ctx.connections,
    capture: 'uid',
    watchPids: ctx.watchPids,
    limitSec,
  });
  noUnexpected(host, `big calls, ${name}: joins`, joins);
  const groupsAfter = await joinGroups(ctx.urls);
  const grouping = { transactions: groupsAfter.groups - groupsBefore.groups, joins: groupsAfter.joins - groupsBefore.joins };
  const callIds = [...new Set(members.map((m) => m.callId))];
  const [open] = await ctx.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM call_sessions WHERE open = 1 AND call_id IN (${callIds.join(',')})`);
  const openAfterJoins = Number(open.n);
  host.check(`big calls, ${name}: every join has its open session`, openAfterJoins === members.length, `${openAfterJoins} open sessions for ${members.length} joins`);
  host.log(
    `${name}: ${members.length} joins in ${round(joins.durationSec, 1)} s (${Math.round(joins.reqPerSec)}/s, p50 ${joins.latencyMs.p50} ms, p99 ${joins.latencyMs.p99} ms), ${openAfterJoins} open sessions; ${grouping.transactions} join transactions (${round(grouping.joins / Math.max(1, grouping.transactions), 1)} joins each on average)`,
  );
  await invariantsHold(host, ctx.db, `after the ${name} joins`);
  const removed = new Set<number>();
  if (ctx.afterJoins) await ctx.afterJoins();
  for (const row of await ctx.db.query<{ user_id: number | string }>(`SELECT user_id FROM call_members WHERE removed_at IS NOT NULL AND call_id IN (${callIds.join(',')})`)) removed.add(Number(row.user_id));

  const uids = joins.captured ?? {};
  const tokens = await host.loadOnce({
    urls: ctx.urls,
    items: members.map((m, i) => ({ target: target(i), method: 'POST', path: '/api/calling/token', authorization: auth[i], body: JSON.stringify({ channelName: m.channelName, uid: uids[i] }) })),
    connections: ctx.connections,
    // A member removed meanwhile is refused (the removal's own check counts them).
    expectedCodes: removed.size > 0 ? ['CALL_ACCESS_DENIED'] : [],
    watchPids: ctx.watchPids,
    limitSec,
  });
  noUnexpected(host, `big calls, ${name}: tokens`, tokens);
  const refused = Object.entries(tokens.statuses).filter(([status]) => !status.startsWith('2')).reduce((n, [, count]) => n + count, 0);
  host.check(`big calls, ${name}: every member still in the call got a token, the removed none`, refused === removed.size, `${refused} refused, ${removed.size} removed`);
  const leaves = await host.loadOnce({
    urls: ctx.urls,
    items: members.map((m, i) => ({ target: target(i), method: 'POST', path: `/api/calling/${m.callId}/leave`, authorization: auth[i] })),
    connections: ctx.connections,
    expectedCodes: removed.size > 0 ? ['CALL_NOT_FOUND'] : [],
    watchPids: ctx.watchPids,
    limitSec,
  });
  noUnexpected(host, `big calls, ${name}: leaves`, leaves);
  const [after] = await ctx.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM call_sessions WHERE open = 1 AND call_id IN (${callIds.join(',')})`);
  host.check(`big calls, ${name}: nobody is left in the calls after the leaves`, Number(after.n) === 0, `${after.n} open sessions`);
  return { name, members: members.length, calls, joins, tokens, leaves, openAfterJoins, grouping };
}

/** The stage's limits, while the listeners are in: the participant cap, the speaker seats under a race, removals. */
async function stageChecks(
  host: StageBenchHost,
  s: { urls: string[]; stage: { callId: number }; stageHost: string; listeners: number[]; extra: number; maxSpeakers: number; removals: number; db: BenchDb },
): Promise<void> {
  const base = (i: number) => s.urls[i % s.urls.length];
  const over = await post(`${base(1)}/api/calling/${s.stage.callId}/join`, host.jwt(s.extra), { media: 'audio' });
  host.check('big calls, stage: a listener past maxParticipants gets CALL_FULL', over.status === 400 && over.code === 'CALL_FULL', `${over.status} ${over.code ?? ''}`);

  const [seats] = await s.db.query<{ speaker_count: number | string; max_speakers: number | string }>('SELECT speaker_count, max_speakers FROM calls WHERE id = ?', [s.stage.callId]);
  const free = Number(seats.max_speakers) - Number(seats.speaker_count);
  const asked = s.listeners.slice(0, free + 3);
  const answers = await Promise.all(asked.map((userId, i) => send('PUT', `${base(i)}/api/calling/${s.stage.callId}/speakers/${userId}`, s.stageHost)));
  const promoted = answers.filter((r) => r.status === 200).length;
  const full = answers.filter((r) => r.status === 409 && r.code === 'SPEAKERS_FULL').length;
  const [after] = await s.db.query<{ speaker_count: number | string }>('SELECT speaker_count FROM calls WHERE id = ?', [s.stage.callId]);
  host.check(
    'big calls, stage: one more speaker than maxSpeakers gets SPEAKERS_FULL (concurrent promotions on both instances)',
    promoted === free && full === asked.length - free && Number(after.speaker_count) === s.maxSpeakers,
    `${asked.length} promotions for ${free} free seats: ${promoted} made, ${full} SPEAKERS_FULL, other ${JSON.stringify(answers.filter((r) => r.status !== 200 && r.code !== 'SPEAKERS_FULL').slice(0, 3))}; speaker_count ${after.speaker_count}/${s.maxSpeakers}`,
  );

  const removedIds = s.listeners.slice(s.listeners.length - s.removals);
  const removals = await Promise.all(removedIds.map((userId, i) => send('DELETE', `${base(i)}/api/calling/${s.stage.callId}/participants/${userId}`, s.stageHost)));
  host.check('big calls, stage: the host removes listeners on either instance', removals.every((r) => r.status === 200), JSON.stringify(removals.map((r) => `${r.status} ${r.code ?? ''}`)));
}

async function invariantsHold(host: StageBenchHost, db: BenchDb, when: string): Promise<void> {
  const broken: string[] = [];
  for (const [name, sql] of Object.entries(PARTICIPATION_INVARIANTS)) {
    const rows = await db.query(sql);
    if (rows.length > 0) broken.push(`${name}: ${JSON.stringify(rows.slice(0, 3))}`);
  }
  host.check(`big calls: the participation invariants hold ${when}`, broken.length === 0, broken.join('; ') || 'all hold');
}

function noUnexpected(host: StageBenchHost, name: string, r: LoadResult): void {
  const errors = r.unexpected + r.socketErrors;
  host.check(`${name}: no unexpected answers, no 5xx`, errors === 0, errors === 0 ? `statuses ${JSON.stringify(r.statuses)}` : `${r.unexpected} unexpected, ${r.socketErrors} socket errors; statuses ${JSON.stringify(r.statuses)}; e.g. ${r.unexpectedSamples[0] ?? '-'}`);
}

async function send(method: string, url: string, authorization: string, body?: unknown): Promise<{ status: number; code?: string }> {
  const res = await fetch(url, { method, headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

const post = (url: string, authorization: string, body: unknown) => send('POST', url, authorization, body);

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

const seededCall = (call: { callId: number; channelName: string }) => ({ callId: call.callId, channelName: call.channelName });

/** Why Redis cannot be used, or undefined when it answers PING. */
async function missingRedis(url: string): Promise<string | undefined> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    redis.disconnect();
  }
}

/** The local MariaDB server's process, for its CPU share (undefined when it is elsewhere or not found). */
function mariadbdPid(): number | undefined {
  try {
    const pid = Number(execFileSync('pgrep', ['-xo', 'mariadbd'], { encoding: 'utf8' }).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
