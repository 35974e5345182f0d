/**
 * The big analytics data set (100,000 and 1,000,000 sessions), written in bulk: multi-row
 * INSERTs into the real tables, in batches of a few thousand rows, one transaction per group
 * of batches. The rows are what the services would have written for ended calls (calls, host
 * and participant call_members, call_sessions, call_media_segments with media switches, users),
 * and the per-day aggregates (analytics_days, analytics_day_sketches) are computed here from
 * exactly those rows with the service's own definition (DayFold in src/analytics), and the raw
 * rows are marked folded, as the rollup job leaves them.
 *
 * Growth is incremental: seeding to 1,000,000 after 100,000 adds 900,000 sessions and adds
 * their aggregates to the rows already there, so data the services wrote meanwhile stays
 * consistent too.
 */
import { DayFold } from '../../src/analytics/analytics-rollup.service';
import { HyperLogLog } from '../../src/analytics/hyperloglog';
import type { BenchDb } from './db';
import { DAY, HOUR, MINUTE, random, sqlDate } from './util';

/** Analytics members are user ids from here on (other scenarios use lower ids). */
export const ANALYTICS_FIRST_USER_ID = 3_000_001;
/**
 * Members per session: the community grows with its activity (100k sessions: 5,000 members;
 * 1M: 50,000), each member in about 20 calls over the 90 days.
 */
export const SESSIONS_PER_MEMBER = 20;

export interface AnalyticsSeedState {
  sessions: number;
  users: number;
  calls: number;
  segments: number;
}

export const emptyAnalyticsState = (): AnalyticsSeedState => ({ sessions: 0, users: 0, calls: 0, segments: 0 });

const BATCH = 4_000;
const BATCHES_PER_TRANSACTION = 10;

const OTO_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * Adds sessions until the data set holds `targetSessions` bench sessions, spread over the 90
 * days before now (ended calls only; the last call ends at least an hour before now).
 */
export async function growAnalyticsDataSet(db: BenchDb, state: AnalyticsSeedState, targetSessions: number, seed: number): Promise<{ rows: number }> {
  const rand = random(seed);
  const toAdd = targetSessions - state.sessions;
  if (toAdd <= 0) return { rows: 0 };
  const now = Date.now();
  let rows = 0;

  // Members: the pool grows with the data set; ids and OTO numbers are deterministic (skipping
  // any OTO# the services already handed out).
  const userTotal = Math.max(50, Math.round(targetSessions / SESSIONS_PER_MEMBER));
  const taken = new Set((await db.query<{ oto_number: string }>('SELECT oto_number FROM users')).map((row) => row.oto_number));
  const newUsers: unknown[][] = [];
  let otoCounter = state.users;
  for (let i = state.users; i < userTotal; i += 1) {
    let oto: string;
    do {
      let n = otoCounter;
      otoCounter += 1;
      let suffix = '';
      for (let k = 0; k < 5; k += 1) {
        suffix = OTO_ALPHABET[n % 36] + suffix;
        n = Math.floor(n / 36);
      }
      oto = `OTO#Z${suffix}`;
    } while (taken.has(oto));
    const seen = sqlDate(now - 90 * DAY);
    newUsers.push([ANALYTICS_FIRST_USER_ID + i, oto, 'member', 'user', seen, seen]);
  }
  await db.begin();
  await db.insertMany('users', ['id', 'oto_number', 'membership_stage', 'role', 'first_seen_at', 'last_seen_at'], newUsers);
  await db.commit();
  rows += newUsers.length;
  state.users = userTotal;

  const maxId = async (table: string): Promise<number> => Number((await db.query<{ m: number | string | null }>(`SELECT MAX(id) AS m FROM ${table}`))[0]?.m ?? 0);
  let callId = await maxId('calls');
  let memberId = await maxId('call_members');
  let sessionId = await maxId('call_sessions');
  let segmentId = await maxId('call_media_segments');

  // Call sizes first (2..18 members, 10 on average), so the calls can be laid out in time order.
  const sizes: number[] = [];
  for (let left = toAdd; left > 0; ) {
    const size = Math.min(left, 2 + Math.floor(rand() * 17));
    sizes.push(size);
    left -= size;
  }
  const first = now - 90 * DAY;
  const span = 90 * DAY - 3 * HOUR;

  const fold = new DayFold();

  const buffers = { calls: [] as unknown[][], members: [] as unknown[][], sessions: [] as unknown[][], segments: [] as unknown[][] };
  let batches = 0;
  let inTransaction = false;
  const flush = async (force: boolean): Promise<void> => {
    const full = force || buffers.sessions.length >= BATCH || buffers.segments.length >= BATCH;
    if (!full) return;
    if (!inTransaction) {
      await db.begin();
      inTransaction = true;
    }
    await db.insertMany(
      'calls',
      ['id', 'title', 'description', 'channel_name', 'creator_id', 'is_public', 'max_participants', 'status', 'active_participants', 'peak_participants', 'created_at', 'ended_at', 'ended_by', 'analytics_state'],
      buffers.calls,
    );
    await db.insertMany('call_members', ['id', 'call_id', 'user_id', 'role', 'created_at', 'removed_at'], buffers.members);
    await db.insertMany(
      'call_sessions',
      ['id', 'call_id', 'user_id', 'media', 'open', 'joined_at', 'left_at', 'duration_seconds', 'leave_reason', 'last_seen_at', 'token_expires_at', 'last_client_seq', 'folded_at'],
      buffers.sessions,
    );
    await db.insertMany('call_media_segments', ['id', 'session_id', 'call_id', 'user_id', 'media', 'started_at', 'ended_at', 'duration_seconds', 'folded_at'], buffers.segments);
    rows += buffers.calls.length + buffers.members.length + buffers.sessions.length + buffers.segments.length;
    buffers.calls = [];
    buffers.members = [];
    buffers.sessions = [];
    buffers.segments = [];
    batches += 1;
    if (force || batches % BATCHES_PER_TRANSACTION === 0) {
      await db.commit();
      inTransaction = false;
    }
  };

  const pickUser = (): number => ANALYTICS_FIRST_USER_ID + Math.floor(rand() * userTotal);
  for (const [index, size] of sizes.entries()) {
    callId += 1;
    const createdAt = Math.floor(first + ((index + rand()) / sizes.length) * span);
    const length = (20 + Math.floor(rand() * 100)) * MINUTE + Math.floor(rand() * 1000);
    const endedAt = createdAt + length;
    const people = new Set<number>();
    while (people.size < Math.min(size, userTotal)) people.add(pickUser());
    const [host] = people;

    const events: Array<[number, number]> = [];
    for (const userId of people) {
      const joinedAt = createdAt + Math.floor(rand() * Math.min(10 * MINUTE, length / 2));
      const leavesEarly = rand() < 0.4;
      const leftAt = leavesEarly ? joinedAt + Math.floor(rand() * (endedAt - joinedAt)) : endedAt;
      const firstMedia = rand() < 0.3 ? 'audio' : 'video';
      const switchAt = rand() < 0.3 ? joinedAt + Math.floor(rand() * (leftAt - joinedAt)) : undefined;
      const lastMedia = switchAt === undefined ? firstMedia : firstMedia === 'audio' ? 'video' : 'audio';
      sessionId += 1;
      memberId += 1;
      buffers.members.push([memberId, callId, userId, userId === host ? 'host' : 'participant', sqlDate(userId === host ? createdAt : joinedAt), null]);
      buffers.sessions.push([
        sessionId,
        callId,
        userId,
        lastMedia,
        null,
        sqlDate(joinedAt),
        sqlDate(leftAt),
        Math.max(0, Math.round((leftAt - joinedAt) / 1000)),
        leavesEarly ? 'left' : 'call_ended',
        sqlDate(joinedAt),
        null,
        null,
        sqlDate(endedAt),
      ]);
      fold.addSessions([{ id: sessionId, userId, joinedAt: new Date(joinedAt), first: true }]);
      const segments: Array<[string, number, number]> = switchAt === undefined ? [[firstMedia, joinedAt, leftAt]] : [[firstMedia, joinedAt, switchAt], [lastMedia, switchAt, leftAt]];
      for (const [media, from, to] of segments) {
        segmentId += 1;
        buffers.segments.push([segmentId, sessionId, callId, userId, media, sqlDate(from), sqlDate(to), Math.max(0, Math.round((to - from) / 1000)), sqlDate(endedAt)]);
        fold.addSegments([{ id: segmentId, media: media as 'audio' | 'video', startedAt: new Date(from), endedAt: new Date(to) }]);
      }
      events.push([joinedAt, 1], [leftAt, -1]);
    }
    // The head count at its highest: leaves before joins at the same instant, as a leave
    // committed first frees the slot the join takes.
    events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let present = 0;
    let peak = 0;
    for (const [, delta] of events) {
      present += delta;
      peak = Math.max(peak, present);
    }
    fold.addCalls([{ id: callId, createdAt: new Date(createdAt), endedAt: new Date(endedAt), peakParticipants: peak, state: null }]);
    buffers.calls.push([
      callId,
      `Bench analytics call ${callId}`,
      null,
      `call_${Math.floor(createdAt / 1000)}_${callId.toString(36).padStart(9, '0')}`,
      host,
      rand() < 0.6 ? 1 : 0,
      25,
      'ended',
      0,
      peak,
      sqlDate(createdAt),
      sqlDate(endedAt),
      'host',
      2,
    ]);
    state.sessions += people.size;
    state.calls += 1;
    await flush(false);
  }
  await flush(true);
  state.segments = segmentId;

  // The aggregates: add to each day's row (shard 0, created when missing) and merge each day's
  // sketch, as the rollup job does.
  await db.begin();
  for (const [day, t] of fold.days) {
    await db.insertMany('analytics_days', ['day', 'shard'], [[day, 0]], true);
    await db.query(
      'UPDATE analytics_days SET participants = participants + ?, calls_created = calls_created + ?, calls_ended = calls_ended + ?, ended_duration_ms = ended_duration_ms + ?, ' +
        'audio_ms = audio_ms + ?, video_ms = video_ms + ?, peak_participants = CASE WHEN peak_participants < ? THEN ? ELSE peak_participants END WHERE day = ? AND shard = 0',
      [t.participants, t.callsCreated, t.callsEnded, t.endedDurationMs, t.audioMs, t.videoMs, t.peakParticipants, t.peakParticipants, day],
    );
  }
  for (const [day, sketch] of fold.sketches) {
    const [stored] = await db.query<{ registers: Buffer }>('SELECT registers FROM analytics_day_sketches WHERE day = ?', [day]);
    if (stored) await db.query('UPDATE analytics_day_sketches SET registers = ? WHERE day = ?', [sketch.merge(HyperLogLog.from(stored.registers)).toBuffer(), day]);
    else await db.query('INSERT INTO analytics_day_sketches (day, registers) VALUES (?, ?)', [day, sketch.toBuffer()]);
  }
  await db.commit();
  rows += fold.days.size + fold.sketches.size;
  return { rows };
}
