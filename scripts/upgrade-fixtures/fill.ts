/**
 * Fills a database with one release's own code and records what that release answers.
 *
 * Not run from this checkout: `generate.ts` copies this file into a detached worktree of an
 * earlier release (`/tmp/rel-<sha>`) and runs it there with that release's `src/`, so every row is
 * written by the release's own routes and services, on a fixed clock. It only uses what the
 * release has: each step runs when the release's OpenAPI document lists its route, so the same
 * story fills every release from the first calls API to today's. A release whose code writes
 * nothing (the schema came before the routes) gets rows by plain SQL instead (`rawRows`).
 *
 * Environment: DATABASE_URL (the empty database to fill), UPGRADE_READS (where the reads go, JSON).
 * Self-contained on purpose (node built-ins, jsonwebtoken, the release's own files): it must run
 * in any release's tree.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sign } from 'jsonwebtoken';

/** "Now" for the whole story and for every read: a Friday afternoon, after a month boundary. */
export const NOW = '2026-11-20T15:00:00.000Z';
const JWT_SECRET = 'upgrade-fixture-secret-0123456789';
const MINUTE = 60_000;
const DAY = 86_400_000;
const ADMIN = 7000;
/** Members 7001-7008; 7009 never joins anything (a member with preferences only). */
const MEMBERS = [7001, 7002, 7003, 7004, 7005, 7006, 7007, 7008];
/** fill.ts's exit status when the release's app does not start at all. */
export const DOES_NOT_START = 3;

interface Actor {
  userId: number;
  stage: string;
  role: string;
}
const admin: Actor = { userId: ADMIN, stage: 'member', role: 'admin' };
const member = (userId: number): Actor => ({ userId, stage: 'member', role: 'user' });

export interface RecordedRead {
  /** Request path with query, under /api. */
  path: string;
  actor: Actor;
  status: number;
  contentType: string;
  /** Parsed JSON, or the text as it was (CSV). */
  body: unknown;
}

export interface RecordedReads {
  now: string;
  release: string;
  reads: RecordedRead[];
}

interface Injected {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}
interface FastifyLike {
  inject(options: { method: string; url: string; headers?: Record<string, string>; payload?: unknown }): Promise<Injected>;
  ready(): Promise<unknown>;
}
interface AppLike {
  getHttpAdapter(): { getInstance(): FastifyLike };
  get(token: unknown): unknown;
  close(): Promise<void>;
}

const root = process.cwd();
const load = (file: string): Record<string, unknown> => require(join(root, file)) as Record<string, unknown>;

/** A fake Agora REST server: Cloud Recording answered as Agora does, anything else (kicking rules, mute) 200. */
async function fakeAgora(): Promise<{ server: Server; url: string }> {
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      const send = (status: number, body: object) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      const match = /\/cloud_recording\/(?:acquire|resourceid\/([^/]+)\/(?:sid\/([^/]+)\/)?mode\/(mix|individual)\/(start|update|query|stop))$/.exec(path);
      if (!match) return send(200, { status: 'success', id: 1 });
      const [, resourceId, sid, , action = 'acquire'] = match;
      if (action === 'acquire') return send(200, { resourceId: `res-${(next += 1)}` });
      if (action === 'start') return send(200, { resourceId, sid: `sid-${(next += 1)}` });
      if (action === 'update') return send(200, { resourceId, sid });
      if (action === 'query') return send(200, { resourceId, sid, serverResponse: { status: 5, fileList: [] } });
      return send(200, {
        resourceId,
        sid,
        serverResponse: {
          fileListMode: 'json',
          uploadingStatus: 'uploaded',
          fileList: [{ fileName: `ikoota/recordings/${sid}_main.m3u8`, trackType: 'audio_and_video', uid: '0', mixedAllUser: true, isPlayable: true, sliceStartTime: 1 }],
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function token(actor: Actor): string {
  return sign({ user_id: actor.userId, membership_stage: actor.stage, role: actor.role }, JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
}

/**
 * Rows for a release whose schema has tables but no code that writes them yet: what the next
 * release's code would have written, by SQL, so the migrations after it are run over data.
 */
async function rawRows(query: (sql: string, params?: unknown[]) => Promise<unknown>, tables: string[]): Promise<void> {
  const at = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString().replace('T', ' ').replace('Z', '');
  if (tables.includes('users')) {
    const users = [ADMIN, ...MEMBERS];
    for (const [i, id] of users.entries()) {
      await query('INSERT INTO users (id, oto_number, membership_stage, role, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)', [
        id,
        `OTO#RAW${String(i).padStart(3, '0')}`,
        'member',
        id === ADMIN ? 'admin' : 'user',
        at((20 - i) * DAY),
        at(i * MINUTE),
      ]);
    }
  }
  if (!tables.includes('calls')) return;
  for (const [i, daysAgo] of [6, 2, 0].entries()) {
    const callId = i + 1;
    const start = daysAgo * DAY + 3 * 60 * MINUTE;
    const ended = daysAgo > 0;
    const people = MEMBERS.slice(i, i + 3);
    await query(
      'INSERT INTO calls (id, title, description, channel_name, creator_id, is_public, max_participants, status, active_participants, peak_participants, created_at, ended_at, ended_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [callId, `Raw call ${callId}`, null, `ikoota_raw_${callId}`, people[0], i % 2, 50, ended ? 'ended' : 'active', ended ? 0 : people.length, people.length, at(start), ended ? at(start - 40 * MINUTE) : null, ended ? 'host' : null],
    );
    for (const [j, userId] of people.entries()) {
      await query('INSERT INTO call_members (call_id, user_id, role, created_at, removed_at) VALUES (?, ?, ?, ?, ?)', [callId, userId, j === 0 ? 'host' : 'participant', at(start), null]);
      await query('INSERT INTO call_sessions (call_id, user_id, media, open, joined_at, left_at, duration_seconds, leave_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        callId,
        userId,
        j % 2 ? 'audio' : 'video',
        ended ? null : 1,
        at(start - j * MINUTE),
        ended ? at(start - 40 * MINUTE) : null,
        ended ? (40 - j) * 60 : null,
        ended ? 'call_ended' : null,
      ]);
      await query('INSERT INTO call_uid_bindings (call_id, uid, user_id, created_at) VALUES (?, ?, ?, ?)', [callId, 100_000 + userId, userId, at(start - j * MINUTE)]);
    }
  }
}

async function main(): Promise<void> {
  const readsFile = process.env.UPGRADE_READS;
  if (!process.env.DATABASE_URL || !readsFile) throw new Error('DATABASE_URL and UPGRADE_READS are required');
  const agora = await fakeAgora();
  Object.assign(process.env, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    JWT_SECRET,
    JOBS_ENABLED: 'false',
    AGORA_HEALTH_URL: 'off',
    AGORA_CUSTOMER_ID: 'customer-id',
    AGORA_CUSTOMER_SECRET: 'customer-secret',
    AGORA_API_BASE_URL: agora.url,
    RECORDING_STORAGE_VENDOR: '11',
    RECORDING_STORAGE_REGION: '0',
    RECORDING_STORAGE_BUCKET: 'ikoota-recordings',
    RECORDING_STORAGE_ACCESS_KEY: 'AKIATESTKEY',
    RECORDING_STORAGE_SECRET_KEY: 'storage-secret-value',
    RECORDING_STORAGE_PREFIX: 'ikoota/recordings',
    RECORDING_STORAGE_ENDPOINT: 'http://127.0.0.1:9',
    RATE_LIMIT_SCALE: '100',
  });
  for (const name of ['REDIS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'AGORA_NCS_SECRET']) delete process.env[name];

  // The release's clock, when it has one (every release with calls): the story moves it by hand.
  let at = Date.parse(NOW);
  let clock: unknown;
  if (existsSync(join(root, 'src/common/clock.ts'))) {
    const { Clock } = load('src/common/clock') as { Clock: abstract new () => { now(): Date } };
    class StoryClock extends Clock {
      override now(): Date {
        return new Date(at);
      }
    }
    clock = new StoryClock();
  }
  const setTime = (ms: number) => (at = ms);
  let app: AppLike;
  try {
    const { createApp } = load('src/app.factory') as { createApp(options?: { clock?: unknown }): Promise<AppLike> };
    app = await createApp(clock ? { clock } : {});
  } catch (error) {
    // Not a working tree (some commits import a file that a later merge added): generate.ts may
    // take an earlier commit of the same migration set.
    console.error(`this release does not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    process.exit(DOES_NOT_START);
  }
  const http = app.getHttpAdapter().getInstance();
  await http.ready();

  const call = async (method: string, url: string, actor?: Actor, payload?: unknown): Promise<Injected> => {
    const headers: Record<string, string> = {};
    if (actor) headers.authorization = `Bearer ${token(actor)}`;
    if (payload !== undefined) headers['content-type'] = 'application/json';
    return http.inject({ method, url: `/api${url}`, headers, payload: payload === undefined ? undefined : JSON.stringify(payload) });
  };
  const must = async (method: string, url: string, actor?: Actor, payload?: unknown): Promise<Record<string, unknown>> => {
    const res = await call(method, url, actor, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
    return res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
  };

  const doc = JSON.parse((await call('GET', '/docs-json')).body) as { paths: Record<string, Record<string, unknown>> };
  /** Whether the release has this route (path as in the OpenAPI document, without /api). */
  const has = (method: string, path: string) => Boolean(doc.paths[`/api${path}`]?.[method.toLowerCase()]);

  const runner = (app.get as (token: unknown) => { query(sql: string, params?: unknown[]): Promise<unknown> })(load('node_modules/typeorm').DataSource);
  const dialect = process.env.DATABASE_URL.startsWith('sqlite:') ? 'sqlite' : 'mysql';
  const tableRows = (await runner.query(
    dialect === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table'"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
  )) as Array<{ name?: string; NAME?: string }>;
  const tables = tableRows.map((row) => String(row.name ?? row.NAME));

  /** Runs one of the release's scheduled jobs by hand, when it has that job (jobs are off). */
  const runJob = async (name: string): Promise<boolean> => {
    if (!existsSync(join(root, 'src/jobs/job-scheduler.service.ts'))) return false;
    const { JobScheduler } = load('src/jobs/job-scheduler.service');
    const scheduler = app.get(JobScheduler) as { runOnce(name: string): Promise<boolean> };
    try {
      const ran = await scheduler.runOnce(name);
      if (!ran) throw new Error(`the ${name} job did not run`);
      return true;
    } catch (error) {
      if (error instanceof Error && error.message === `Unknown job ${name}`) return false;
      throw error;
    }
  };

  const calls: number[] = [];
  if (!has('POST', '/calling/create')) {
    await rawRows((sql, params) => runner.query(sql, params), tables);
  } else {
    const today = Math.floor(Date.parse(NOW) / DAY) * DAY;
    // Preferences first, so joins read them; recording consent where the release has it.
    const prefs: Array<[number, Record<string, unknown>]> = [
      [7001, { voice_masking_enabled: true, video_quality: 'hd', recording_consent: true }],
      [7002, { video_masking_enabled: true, auto_mute_on_join: true, preferred_avatar: 'avatar_002.png', recording_consent: true }],
      [7003, { video_quality: 'sd', recording_consent: false }],
      [7009, { voice_masking_enabled: true, video_masking_enabled: true }],
    ];
    if (has('PUT', '/calling/preferences')) {
      for (const [userId, body] of prefs) {
        setTime(today - 30 * DAY + userId * MINUTE);
        const res = await call('PUT', '/calling/preferences', member(userId), body);
        if (res.statusCode === 400 && res.body.includes('recording_consent')) {
          const { recording_consent: _dropped, ...older } = body;
          await must('PUT', '/calling/preferences', member(userId), older);
        } else if (res.statusCode >= 300) throw new Error(`PUT preferences answered ${res.statusCode}: ${res.body}`);
      }
    }

    /** One call's story: days ago, hour, public, the people in it (host first), and what happens. */
    const stories = [
      { daysAgo: 26, hour: 9, isPublic: true, people: [7001, 7002, 7003, 7004], ends: true },
      { daysAgo: 19, hour: 18, isPublic: false, people: [7002, 7001, 7005], ends: true },
      { daysAgo: 12, hour: 23, isPublic: true, people: [7003, 7004, 7005, 7006, 7007], ends: true, midnight: true },
      { daysAgo: 6, hour: 10, isPublic: false, people: [7004, 7001, 7002, 7008], ends: true, moderate: true },
      { daysAgo: 2, hour: 14, isPublic: true, people: [7005, 7001, 7002, 7003], ends: true, record: true },
      { daysAgo: 0, hour: 11, isPublic: true, people: [7006, 7007, 7008], ends: true },
      { daysAgo: 0, hour: 14, isPublic: true, people: [7001, 7002, 7006], ends: false, record: true },
    ];
    for (const [n, story] of stories.entries()) {
      const start = today - story.daysAgo * DAY + story.hour * 60 * MINUTE;
      const [host, ...guests] = story.people;
      setTime(start);
      const created = await must('POST', '/calling/create', member(host), {
        title: `Fixture call ${n + 1}`,
        description: n % 2 ? null : `Story ${n + 1}`,
        isPublic: story.isPublic,
        maxParticipants: 10 + n,
      });
      const callId = Number(created.callId);
      calls.push(callId);
      if (!story.isPublic) {
        setTime(start + MINUTE);
        await must('POST', `/calling/${callId}/invite`, member(host), { userIds: guests });
      }
      for (const [i, person] of story.people.entries()) {
        setTime(start + (2 + i * 3) * MINUTE);
        const joined = await must('POST', `/calling/${callId}/join`, member(person), { media: i % 3 === 1 ? 'audio' : 'video' });
        // An Agora token for the uid the join assigned (or one of the member's choosing, before
        // uids were assigned): the uid binding rows.
        if (has('POST', '/calling/token')) {
          await must('POST', '/calling/token', member(person), { channelName: created.channelName, uid: Number(joined.uid ?? 100_000 + person) });
        }
      }
      if (has('POST', '/calling/{callId}/media')) {
        setTime(start + 20 * MINUTE);
        await must('POST', `/calling/${callId}/media`, member(story.people[1]), { media: 'video' });
      }
      if (story.moderate && has('POST', '/calling/{callId}/pause')) {
        setTime(start + 22 * MINUTE);
        await must('PUT', `/calling/${callId}/members/${guests[0]}`, member(host), { role: 'moderator' });
        await must('POST', `/calling/${callId}/participants/${guests[1]}/mute`, member(host), { audio: true });
        setTime(start + 24 * MINUTE);
        await must('POST', `/calling/${callId}/pause`, member(host));
        setTime(start + 27 * MINUTE);
        await must('POST', `/calling/${callId}/resume`, member(host));
        await must('PATCH', `/calling/${callId}`, member(host), { title: `Fixture call ${n + 1} (renamed)` });
        setTime(start + 30 * MINUTE);
        await must('DELETE', `/calling/${callId}/participants/${guests[2]}`, member(host));
      }
      let recordingId: number | undefined;
      if (story.record && has('POST', '/calling/{callId}/recordings')) {
        setTime(start + 25 * MINUTE);
        recordingId = Number((await must('POST', `/calling/${callId}/recordings`, member(host), { mode: 'mix' })).recordingId);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      // Leaves: over midnight for the late call, so segments split at UTC midnight.
      const leaveAt = start + (story.midnight ? 75 : 35) * MINUTE;
      if (story.ends) {
        setTime(leaveAt);
        await must('POST', `/calling/${callId}/leave`, member(story.people[story.people.length - 1]));
        if (recordingId !== undefined) {
          setTime(leaveAt + MINUTE);
          await must('DELETE', `/calling/${callId}/recordings/${recordingId}`, member(host));
        }
        setTime(leaveAt + 5 * MINUTE);
        if (has('POST', '/calling/{callId}/end')) await must('POST', `/calling/${callId}/end`, member(host));
        else if (has('POST', '/calling/admin/{callId}/end')) await must('POST', `/calling/admin/${callId}/end`, admin);
        else for (const person of story.people.slice(0, -1)) await must('POST', `/calling/${callId}/leave`, member(person));
      } else if (recordingId === undefined) {
        setTime(leaveAt);
        await must('POST', `/calling/${callId}/leave`, member(story.people[story.people.length - 1]));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      // The analytics rollup (where the release has one) folds what happened so far, two days ago,
      // so the database holds folded aggregates and an unfolded tail, as a running service does.
      if (n === 4) {
        setTime(leaveAt + 60 * MINUTE);
        await runJob('analytics-rollup');
      }
    }

    // Direct calls (where the release has them): one declined, one still ringing.
    if (has('POST', '/calling/direct')) {
      setTime(today - DAY + 8 * 60 * MINUTE);
      const declined = await must('POST', '/calling/direct', member(7003), { callee: 7004, media: 'audio' });
      calls.push(Number(declined.callId));
      setTime(today - DAY + 8 * 60 * MINUTE + 10_000);
      await must('POST', `/calling/${Number(declined.callId)}/decline`, member(7004));
      setTime(Date.parse(NOW) - 10_000);
      const ringing = await must('POST', '/calling/direct', member(7007), { callee: 7008, media: 'video' });
      calls.push(Number(ringing.callId));
    }
  }

  // What the release answers, at NOW, for the reads the upgrade test compares.
  setTime(Date.parse(NOW));
  const reads: RecordedRead[] = [];
  const read = async (path: string, actor: Actor) => {
    const res = await call('GET', path, actor);
    const contentType = String(res.headers['content-type'] ?? '');
    reads.push({ path, actor, status: res.statusCode, contentType, body: contentType.includes('json') ? JSON.parse(res.body) : res.body });
  };
  if (has('GET', '/calling/admin/analytics')) {
    for (const [days, groupBy] of [[1, 'day'], [7, 'day'], [30, 'day'], [30, 'week'], [90, 'week'], [90, 'month'], [365, 'month']] as const) {
      await read(`/calling/admin/analytics?days=${days}&groupBy=${groupBy}`, admin);
    }
  }
  for (const callId of calls) {
    if (has('GET', '/calling/admin/{callId}/details')) await read(`/calling/admin/${callId}/details`, admin);
    if (has('GET', '/calling/{callId}/recordings')) await read(`/calling/${callId}/recordings`, admin);
  }
  const everyone = [...MEMBERS, 7009];
  for (const userId of everyone) {
    if (has('GET', '/calling/my-calls')) {
      await read('/calling/my-calls', member(userId));
      await read('/calling/my-calls?status=ended&limit=100', member(userId));
    }
    if (has('GET', '/calling/preferences')) await read('/calling/preferences', member(userId));
  }
  if (has('GET', '/calling/{callId}')) for (const callId of calls) await read(`/calling/${callId}`, member(7001));
  if (has('GET', '/calling/admin/sessions.csv')) {
    await read('/calling/admin/sessions.csv', admin);
    await read(`/calling/admin/sessions.csv?callId=${calls[0]}`, admin);
  }
  if (has('GET', '/calling/admin/calls')) {
    await read('/calling/admin/calls?limit=100', admin);
    await read('/calling/admin/calls?status=ended&limit=100', admin);
  }
  if (has('GET', '/calling/admin/overview')) await read('/calling/admin/overview', admin);
  if (has('GET', '/calling/admin/recordings')) await read('/calling/admin/recordings', admin);
  if (has('GET', '/calling/admin/events')) {
    for (const status of ['pending', 'delivered', 'failed']) await read(`/calling/admin/events?status=${status}&limit=100`, admin);
  }

  const recorded: RecordedReads = { now: NOW, release: process.env.UPGRADE_RELEASE ?? '', reads };
  // One read per line: small, and a diff shows which read changed.
  const lines = reads.map((r) => JSON.stringify(r)).join(',\n');
  writeFileSync(readsFile, `{"now":${JSON.stringify(recorded.now)},"release":${JSON.stringify(recorded.release)},"reads":[\n${lines}\n]}\n`);
  await app.close();
  await new Promise((resolve) => agora.server.close(resolve));
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
