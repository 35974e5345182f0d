import { createHmac } from 'node:crypto';
import { CallMediaSegment } from '../src/calls/entities/call-media-segment.entity';
import { CallSession } from '../src/calls/entities/call-session.entity';
import { Call } from '../src/calls/entities/call.entity';
import { AgoraNotice } from '../src/presence/entities/agora-notice.entity';
import { createCall, CreatedCall, join, token } from './support/calls';
import { FakeClock } from './support/clock';
import { as } from './support/jwt';
import { startApp, TestApp } from './support/test-app';

const SECRET = 'ncs-test-secret-0123456789';
const URL = '/api/calling/webhooks/agora';

const sign = (raw: string, secret = SECRET): string => createHmac('sha256', secret).update(raw).digest('hex');
const unix = (iso: string): number => Date.parse(iso) / 1000;

let noticeCounter = 0;
const nextNoticeId = (): string => `test-notice-${process.pid}-${++noticeCounter}`;

interface Notice {
  noticeId: string;
  productId: number;
  eventType: number;
  notifyMs: number;
  sid: string;
  payload: Record<string, unknown>;
}

/** A notice as Agora sends it, with the fields this service does not model. */
function notice(eventType: number, payload: Record<string, unknown>, noticeId = nextNoticeId()): Notice {
  return { noticeId, productId: 1, eventType, notifyMs: 1_767_000_000_000 + noticeCounter, sid: 'A1B2C3D4E5', payload: { platform: 7, ...payload } };
}

const joined = (channelName: string, uid: number, clientSeq: number, ts: string, eventType = 107): Notice =>
  notice(eventType, { channelName, uid, clientSeq, ts: unix(ts) });

const left = (channelName: string, uid: number, clientSeq: number, ts: string, reason = 1, eventType = 108): Notice =>
  notice(eventType, { channelName, uid, clientSeq, ts: unix(ts), reason, duration: 30 });

describe('Agora NCS webhooks: POST /api/calling/webhooks/agora', () => {
  const clock = new FakeClock('2026-03-02T10:00:00.000Z');
  let t: TestApp;

  /** Sends `body` as raw JSON, signed with the secret unless told otherwise (null: no header). */
  function deliver(body: object | string, signature?: string | null) {
    const raw = typeof body === 'string' ? body : JSON.stringify(body);
    const req = t.http.post(URL).set('Content-Type', 'application/json');
    if (signature !== null) req.set('Agora-Signature-V2', signature ?? sign(raw));
    return req.send(raw);
  }

  const sessionsOf = (callId: number, userId: number) => t.dataSource.getRepository(CallSession).find({ where: { callId, userId }, order: { id: 'ASC' } });
  const openSession = (callId: number, userId: number) => t.dataSource.getRepository(CallSession).findOneByOrFail({ callId, userId, open: 1 });
  const noticeCount = (noticeId?: string) => t.dataSource.getRepository(AgoraNotice).countBy(noticeId ? { noticeId } : {});
  const participantCount = async (call: CreatedCall, hostId: number): Promise<number> =>
    (await t.http.get(`/api/calling/${call.callId}`).set(as.member(hostId)).expect(200)).body.participant_count as number;

  /** A public call with the host and the given members joined now, each bound to uid = user id. */
  async function callWith(hostId: number, memberIds: number[], body: Record<string, unknown> = {}): Promise<CreatedCall> {
    const call = await createCall(t.http, hostId, { isPublic: true, ...body });
    for (const userId of [hostId, ...memberIds]) {
      await join(t.http, call.callId, as.member(userId)).expect(200);
      await token(t.http, as.member(userId), call.channelName, userId).expect(200);
    }
    return call;
  }

  beforeAll(async () => {
    t = await startApp({ AGORA_NCS_SECRET: SECRET }, undefined, clock);
  });
  afterAll(async () => t?.close());

  describe('signature', () => {
    let call: CreatedCall;
    const before = (): Promise<number> => noticeCount();

    beforeAll(async () => {
      clock.set('2026-03-02T10:00:00.000Z');
      call = await callWith(800, [801]);
    });

    it.each([
      ['signed with another secret', (raw: string) => sign(raw, 'another-secret-entirely')],
      ['signed over a different body', (raw: string) => sign(raw.replace('"reason":1', '"reason":3'))],
      ['not hex', () => 'z'.repeat(64)],
      ['too short', (raw: string) => sign(raw).slice(0, 62)],
      ['too long', (raw: string) => `${sign(raw)}00`],
      ['empty', () => ''],
    ])('401 when the signature is %s, and nothing changes', async (_label, signatureOf) => {
      const count = await before();
      const body = left(call.channelName, 801, 1, '2026-03-02T10:00:30.000Z');
      const raw = JSON.stringify(body);
      const res = await deliver(raw, signatureOf(raw)).expect(401);
      expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing or invalid Agora-Signature-V2', code: 'WEBHOOK_SIGNATURE_INVALID' });
      expect((await openSession(call.callId, 801)).leftAt).toBeNull();
      expect(await noticeCount(body.noticeId)).toBe(0);
      expect(await noticeCount()).toBe(count);
    });

    it('401 without the Agora-Signature-V2 header (the SHA1 header alone is not enough)', async () => {
      const body = left(call.channelName, 801, 1, '2026-03-02T10:00:30.000Z');
      const raw = JSON.stringify(body);
      const res = await t.http
        .post(URL)
        .set('Content-Type', 'application/json')
        .set('Agora-Signature', createHmac('sha1', SECRET).update(raw).digest('hex'))
        .send(raw)
        .expect(401);
      expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      expect(await noticeCount(body.noticeId)).toBe(0);
      expect(await participantCount(call, 800)).toBe(2);
    });

    it('checks the signature before the body: a malformed, unsigned body is 401, not 400', async () => {
      const res = await deliver({ hello: 'world' }, 'f'.repeat(64)).expect(401);
      expect(res.body.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    });

    it('accepts an uppercase hex signature over the exact bytes (whitespace and key order included)', async () => {
      const body = joined(call.channelName, 801, 1, '2026-03-02T10:00:20.000Z');
      const raw = `{ "payload" : ${JSON.stringify(body.payload)},\n  "eventType": 107, "noticeId": "${body.noticeId}", "unknownField": [1, 2] }`;
      const res = await deliver(raw, sign(raw).toUpperCase()).expect(200);
      expect(res.body).toEqual({ ok: true });
      expect(await noticeCount(body.noticeId)).toBe(1);
    });
  });

  it('404 and nothing recorded when AGORA_NCS_SECRET is not configured', async () => {
    const off = await startApp({}, undefined, clock);
    try {
      const raw = JSON.stringify(notice(999, { channelName: 'x', ts: 1 }));
      const res = await off.http.post(URL).set('Content-Type', 'application/json').set('Agora-Signature-V2', sign(raw)).send(raw).expect(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Not Found', code: 'ROUTE_NOT_FOUND' });
      expect(await off.dataSource.getRepository(AgoraNotice).count()).toBe(0);
    } finally {
      await off.close();
    }
  });

  describe('malformed but correctly signed: 400, nothing recorded', () => {
    const ok = () => notice(107, { channelName: 'call_x', uid: 1, clientSeq: 1, ts: 1_767_000_000 });
    it.each<[string, unknown]>([
      ['a JSON array', [ok()]],
      ['a JSON string', 'hello'],
      ['no noticeId', { ...ok(), noticeId: undefined }],
      ['an empty noticeId', { ...ok(), noticeId: '' }],
      ['a noticeId over 64 characters', { ...ok(), noticeId: 'n'.repeat(65) }],
      ['a numeric noticeId', { ...ok(), noticeId: 42 }],
      ['eventType as a string', { ...ok(), eventType: '107' }],
      ['a fractional eventType', { ...ok(), eventType: 107.5 }],
      ['no payload', { ...ok(), payload: undefined }],
      ['payload as an array', { ...ok(), payload: [] }],
      ['a join without clientSeq', { ...ok(), payload: { channelName: 'call_x', uid: 1, ts: 1_767_000_000 } }],
      ['a leave with a negative uid', { ...ok(), eventType: 108, payload: { channelName: 'call_x', uid: -1, clientSeq: 1, ts: 1_767_000_000 } }],
      ['a leave without ts', { ...ok(), eventType: 104, payload: { channelName: 'call_x', uid: 1, clientSeq: 1 } }],
      ['a leave with a text reason', { ...ok(), eventType: 106, payload: { channelName: 'call_x', uid: 1, clientSeq: 1, ts: 1_767_000_000, reason: 'kicked' } }],
      ['a channel destroyed without channelName', { ...ok(), eventType: 102, payload: { ts: 1_767_000_000 } }],
    ])('%s', async (_label, body) => {
      const count = await noticeCount();
      const res = await deliver(JSON.stringify(body)).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
      expect(await noticeCount()).toBe(count);
    });
  });

  it('join confirms presence: last_seen_at moves to ts, never back, and only newer clientSeqs apply', async () => {
    clock.set('2026-03-02T11:00:00.000Z');
    const call = await callWith(810, [811]);
    clock.set('2026-03-02T11:05:00.000Z');

    await deliver(joined(call.channelName, 811, 100, '2026-03-02T11:03:00.000Z')).expect(200, { ok: true });
    let session = await openSession(call.callId, 811);
    expect(session.lastSeenAt?.toISOString()).toBe('2026-03-02T11:03:00.000Z');
    expect(session.lastClientSeq).toBe(100);

    // Newer sequence, older ts (audience join): the sequence moves, last_seen_at does not go back.
    await deliver(joined(call.channelName, 811, 101, '2026-03-02T11:02:00.000Z', 105)).expect(200);
    session = await openSession(call.callId, 811);
    expect(session.lastSeenAt?.toISOString()).toBe('2026-03-02T11:03:00.000Z');
    expect(session.lastClientSeq).toBe(101);

    // Older sequence with a later ts: ignored entirely.
    await deliver(joined(call.channelName, 811, 99, '2026-03-02T11:04:00.000Z', 103)).expect(200);
    session = await openSession(call.callId, 811);
    expect(session.lastSeenAt?.toISOString()).toBe('2026-03-02T11:03:00.000Z');
    expect(session.lastClientSeq).toBe(101);

    // A ts ahead of the service's clock is taken as now: nothing is dated in the future.
    await deliver(joined(call.channelName, 811, 102, '2026-03-02T12:00:00.000Z')).expect(200);
    session = await openSession(call.callId, 811);
    expect(session.lastSeenAt?.toISOString()).toBe('2026-03-02T11:05:00.000Z');

    // The host's session was not touched by any of it.
    const host = await openSession(call.callId, 810);
    expect(host.lastSeenAt?.toISOString()).toBe('2026-03-02T11:00:00.000Z');
    expect(host.lastClientSeq).toBeNull();
  });

  it('a join never reopens a closed session nor opens one for a member who has not joined', async () => {
    clock.set('2026-03-02T12:00:00.000Z');
    const call = await callWith(815, [816]);
    await t.http.post(`/api/calling/${call.callId}/leave`).set(as.member(816)).expect(200);
    clock.set('2026-03-02T12:02:00.000Z');
    const res = await deliver(joined(call.channelName, 816, 5, '2026-03-02T12:01:00.000Z')).expect(200);
    expect(res.body).toEqual({ ok: true });
    expect(await sessionsOf(call.callId, 816)).toEqual([expect.objectContaining({ open: null, leaveReason: 'left' })]);
    expect(await participantCount(call, 815)).toBe(1);
  });

  it("leave closes the session at Agora's ts with its reason, frees the slot, closes the media segment", async () => {
    clock.set('2026-03-02T13:00:00.000Z');
    const call = await callWith(820, [821], { maxParticipants: 2 });
    await join(t.http, call.callId, as.member(822)).expect(400);
    expect(await participantCount(call, 820)).toBe(2);

    clock.set('2026-03-02T13:12:00.000Z');
    await deliver(left(call.channelName, 821, 10, '2026-03-02T13:10:30.000Z', 2, 104)).expect(200, { ok: true });

    const [session] = await sessionsOf(call.callId, 821);
    expect(session).toMatchObject({ open: null, durationSeconds: 630, leaveReason: 'agora_timeout', lastClientSeq: 10 });
    expect(session.leftAt?.toISOString()).toBe('2026-03-02T13:10:30.000Z');
    const segment = await t.dataSource.getRepository(CallMediaSegment).findOneByOrFail({ sessionId: session.id });
    expect(segment.endedAt?.toISOString()).toBe('2026-03-02T13:10:30.000Z');
    expect(segment.durationSeconds).toBe(630);
    expect(await participantCount(call, 820)).toBe(1);
    await join(t.http, call.callId, as.member(822)).expect(200);
    expect(await participantCount(call, 820)).toBe(2);
  });

  it.each([
    [1, 'agora_left'],
    [3, 'agora_kicked'],
    [4, 'agora_server'],
    [5, 'agora_device_switch'],
    [9, 'agora_multiple_ips'],
    [10, 'agora_network'],
    [999, 'agora_abnormal'],
    [42, 'agora_left'],
  ])('leave reason %d is stored as %s', async (reason, expected) => {
    clock.set('2026-03-02T14:00:00.000Z');
    const call = await callWith(830, [831]);
    clock.set('2026-03-02T14:01:00.000Z');
    await deliver(left(call.channelName, 831, 1, '2026-03-02T14:00:40.000Z', reason, 106)).expect(200);
    const [session] = await sessionsOf(call.callId, 831);
    expect(session).toMatchObject({ open: null, leaveReason: expected, durationSeconds: 40 });
  });

  /**
   * Issue 21, section 1: Agora's `ts` has whole seconds and comes from Agora's clock, which is
   * never quite ours. A leave closes the open session unless it provably belongs to an earlier
   * stay (the earlier session's span, or the clientSeq of the open session's join notice, says
   * so), tolerating AGORA_CLOCK_TOLERANCE_SECONDS (30) of difference between the clocks.
   */
  describe("clocks: Agora's whole-second ts, and Agora's clock behind or ahead of ours", () => {
    let nextUser = 2100;
    const JOIN = Date.parse('2026-03-03T12:00:00.600Z');
    /** Agora's `ts` for something that happened at `ms` on our clock, with Agora's clock `skew` seconds ahead (negative: behind). */
    const agoraTs = (ms: number, skew: number): number => Math.floor((ms + skew * 1000) / 1000);
    const leaveNotice = (channelName: string, uid: number, clientSeq: number, ts: number, duration: number): Notice =>
      notice(108, { channelName, uid, clientSeq, ts, reason: 1, duration });

    /**
     * A call whose member joins (API) at JOIN and gets a token for uid = user id; with `earlier`,
     * the member had a ten-minute stay before that, left through the API `earlier` ms before JOIN.
     */
    async function stayAt(earlier?: number): Promise<{ call: CreatedCall; host: number; member: number }> {
      const host = (nextUser += 2);
      const member = host + 1;
      const first = earlier === undefined ? JOIN : JOIN - earlier - 600_000;
      clock.set(new Date(first - 60_000));
      const call = await createCall(t.http, host, { isPublic: true });
      await join(t.http, call.callId, as.member(host)).expect(200);
      if (earlier !== undefined) {
        clock.set(new Date(first));
        await join(t.http, call.callId, as.member(member)).expect(200);
        await token(t.http, as.member(member), call.channelName, member).expect(200);
        clock.set(new Date(JOIN - earlier));
        await t.http.post(`/api/calling/${call.callId}/leave`).set(as.member(member)).expect(200);
      }
      clock.set(new Date(JOIN));
      await join(t.http, call.callId, as.member(member)).expect(200);
      await token(t.http, as.member(member), call.channelName, member).expect(200);
      return { call, host, member };
    }

    const skews: Array<[string, number]> = [
      ['in step with ours', 0],
      ['5 s behind', -5],
      ['25 s behind', -25],
      ['30 s behind (the tolerance)', -30],
      ['5 s ahead', 5],
      ['25 s ahead', 25],
    ];
    const earlierStays: Array<[string, number | undefined]> = [
      ['no earlier stay', undefined],
      ['an earlier stay that ended 3 s before the join', 3000],
      ['an earlier stay that ended 2 minutes before the join', 120_000],
    ];
    const stays: Array<[string, number]> = [
      ["in the join's second", 300],
      ['3 minutes later', 180_000],
    ];
    const cases = skews.flatMap(([clockLabel, skew]) => earlierStays.flatMap(([earlierLabel, earlier]) => stays.map(([stayLabel, stayMs]) => [`Agora ${clockLabel}, ${earlierLabel}: a leave ${stayLabel}`, skew, earlier, stayMs] as const)));

    it.each(cases)('%s closes the session, never before it began and never in the future', async (_label, skew, earlier, stayMs) => {
      const { call, host, member } = await stayAt(earlier);
      // Agora sees the client in the channel a moment after the API join, and out of it at JOIN + stayMs.
      const leftMs = JOIN + stayMs;
      const now = leftMs + 1500;
      clock.set(new Date(now));
      const ts = agoraTs(leftMs, skew);
      await deliver(leaveNotice(call.channelName, member, 500, ts, Math.round((stayMs - 200) / 1000))).expect(200, { ok: true });
      const sessions = await sessionsOf(call.callId, member);
      const last = sessions[sessions.length - 1];
      expect(last).toMatchObject({ open: null, leaveReason: 'agora_left' });
      const expected = Math.max(JOIN, Math.min(ts * 1000, now));
      expect(last.leftAt?.toISOString()).toBe(new Date(expected).toISOString());
      expect(last.leftAt!.getTime()).toBeGreaterThanOrEqual(last.joinedAt.getTime());
      expect(await participantCount(call, host)).toBe(1);
    });

    const lateCases = skews.flatMap(([clockLabel, skew]) =>
      [
        ['2 minutes', 120_000],
        ['3 s', 3000],
      ].flatMap(([rejoinLabel, gap]) => [false, true].map((joinNotice) => [`Agora ${clockLabel}, rejoin ${rejoinLabel} later${joinNotice ? ", after the new stay's join notice" : ''}`, skew, gap as number, joinNotice] as const)),
    );

    it.each(lateCases)('a late leave of an earlier stay closes nothing: %s', async (_label, skew, gap, joinNotice) => {
      const { call, host, member } = await stayAt(gap as number);
      // The earlier stay: in Agora's channel from first + 0.4 s until its API leave + 0.3 s.
      const earlierJoin = JOIN - gap - 600_000;
      const earlierLeft = JOIN - gap + 300;
      if (joinNotice) {
        clock.set(new Date(JOIN + 900));
        await deliver(joined(call.channelName, member, 20, new Date(agoraTs(JOIN + 400, skew) * 1000).toISOString())).expect(200);
      }
      // Agora's leave of the earlier stay arrives only now, after the rejoin.
      clock.set(new Date(JOIN + 1500));
      const late = leaveNotice(call.channelName, member, 10, agoraTs(earlierLeft, skew), Math.round((earlierLeft - earlierJoin - 400) / 1000));
      await deliver(late).expect(200, { ok: true });
      const sessions = await sessionsOf(call.callId, member);
      expect(sessions).toHaveLength(2);
      expect(sessions[1]).toMatchObject({ open: 1, leftAt: null });
      expect(await participantCount(call, host)).toBe(2);
      // Delivered again: still nothing.
      await deliver({ ...late, notifyMs: late.notifyMs + 5000 }).expect(200);
      expect((await openSession(call.callId, member)).leftAt).toBeNull();
      // The new stay's own leave, a minute later, still closes it.
      clock.set(new Date(JOIN + 61_000));
      await deliver(leaveNotice(call.channelName, member, 30, agoraTs(JOIN + 60_000, skew), 60)).expect(200);
      const closed = (await sessionsOf(call.callId, member))[1];
      expect(closed).toMatchObject({ open: null, leaveReason: 'agora_left' });
      expect(closed.leftAt!.getTime()).toBe(Math.min(agoraTs(JOIN + 60_000, skew) * 1000, JOIN + 61_000));
      expect(await participantCount(call, host)).toBe(1);
    });

    it('a leave without duration, dated within the tolerance of a rejoin 3 s after an earlier stay, closes the session (nothing proves it earlier)', async () => {
      const { call, member } = await stayAt(3000);
      clock.set(new Date(JOIN + 1500));
      await deliver(notice(108, { channelName: call.channelName, uid: member, clientSeq: 5, ts: agoraTs(JOIN - 2700, 0), reason: 1 })).expect(200);
      expect((await sessionsOf(call.callId, member))[1]).toMatchObject({ open: null, leaveReason: 'agora_left', durationSeconds: 0 });
    });

    it('an older clientSeq than the open stay\'s join notice never closes it, whatever its ts', async () => {
      const { call, member } = await stayAt();
      clock.set(new Date(JOIN + 5000));
      await deliver(joined(call.channelName, member, 40, new Date(agoraTs(JOIN + 400, 0) * 1000).toISOString())).expect(200);
      await deliver(leaveNotice(call.channelName, member, 39, agoraTs(JOIN + 4000, 0), 3)).expect(200);
      expect((await openSession(call.callId, member)).lastClientSeq).toBe(40);
      // A newer one closes it, even dated before the join (Agora 25 s behind).
      await deliver(leaveNotice(call.channelName, member, 41, agoraTs(JOIN + 4500, -25), 4)).expect(200);
      expect((await sessionsOf(call.callId, member))[0]).toMatchObject({ open: null, durationSeconds: 0, lastClientSeq: 41 });
    });

    it('a leave dated beyond the tolerance before the join, with an earlier stay to explain it, closes nothing', async () => {
      const { call, member } = await stayAt(120_000);
      clock.set(new Date(JOIN + 1500));
      // Agora 31 s behind: its ts for a leave in the join's second is provably before the join.
      await deliver(leaveNotice(call.channelName, member, 5, agoraTs(JOIN + 300, -31), 0)).expect(200);
      expect(await openSession(call.callId, member)).toMatchObject({ leftAt: null });
    });

    it('AGORA_CLOCK_TOLERANCE_SECONDS sets how far behind Agora may be: 300 s (its largest) still closes a leave 290 s behind, not 310 s', async () => {
      const wide = await startApp({ AGORA_NCS_SECRET: SECRET, AGORA_CLOCK_TOLERANCE_SECONDS: '300' }, undefined, clock);
      try {
        const send = (body: Notice) => {
          const raw = JSON.stringify(body);
          return wide.http.post(URL).set('Content-Type', 'application/json').set('Agora-Signature-V2', sign(raw)).send(raw).expect(200);
        };
        for (const [behind, closes] of [[100, true], [290, true], [310, false]] as const) {
          // An earlier stay ended 20 minutes before the join: only the tolerance decides.
          const host = (nextUser += 2);
          const member = host + 1;
          clock.set(new Date(JOIN - 40 * 60_000));
          const call = await createCall(wide.http, host, { isPublic: true });
          await join(wide.http, call.callId, as.member(member)).expect(200);
          await token(wide.http, as.member(member), call.channelName, member).expect(200);
          clock.set(new Date(JOIN - 20 * 60_000));
          await wide.http.post(`/api/calling/${call.callId}/leave`).set(as.member(member)).expect(200);
          clock.set(new Date(JOIN));
          await join(wide.http, call.callId, as.member(member)).expect(200);
          clock.set(new Date(JOIN + 1500));
          await send(leaveNotice(call.channelName, member, 7, agoraTs(JOIN + 300, -behind), 0));
          const open = await wide.dataSource.getRepository(CallSession).countBy({ callId: call.callId, userId: member, open: 1 });
          expect([behind, open]).toEqual([behind, closes ? 0 : 1]);
        }
      } finally {
        await wide.close();
      }
      // The default (30 s) reads a leave 100 s behind as before the join: the earlier stay's.
      const { call, member } = await stayAt(20 * 60_000);
      clock.set(new Date(JOIN + 1500));
      await deliver(leaveNotice(call.channelName, member, 7, agoraTs(JOIN + 300, -100), 0)).expect(200);
      expect(await openSession(call.callId, member)).toMatchObject({ leftAt: null });
    });

    it('102 channel destroyed closes the sessions that began before it, with Agora behind or ahead', async () => {
      for (const skew of [-25, -5, 0, 5, 25]) {
        const { call, host, member } = await stayAt();
        // Destroyed 10 s after the member joined; a third member joined a minute after the
        // destruction (the channel's next life: more than Agora's 25 s plus the 30 s tolerance).
        const destroyed = JOIN + 10_000;
        clock.set(new Date(destroyed + 60_000));
        await join(t.http, call.callId, as.member(member + 5000)).expect(200);
        clock.set(new Date(destroyed + 65_000));
        await deliver(notice(102, { channelName: call.channelName, ts: agoraTs(destroyed, skew) })).expect(200);
        for (const userId of [host, member]) {
          const session = (await sessionsOf(call.callId, userId)).at(-1)!;
          expect([skew, userId, session.open, session.leaveReason]).toEqual([skew, userId, null, 'agora_channel_destroyed']);
          expect(session.leftAt!.getTime()).toBe(Math.max(session.joinedAt.getTime(), agoraTs(destroyed, skew) * 1000));
        }
        expect([skew, (await openSession(call.callId, member + 5000)).leftAt]).toEqual([skew, null]);
      }
    });
  });

  it('a late leave of the old session after a leave and rejoin through the API leaves the new session open', async () => {
    clock.set('2026-03-02T14:40:00.000Z');
    const call = await callWith(837, [838]);
    await deliver(joined(call.channelName, 838, 20, '2026-03-02T14:40:01.000Z')).expect(200);
    clock.set('2026-03-02T14:45:00.000Z');
    await t.http.post(`/api/calling/${call.callId}/leave`).set(as.member(838)).expect(200);
    clock.set('2026-03-02T14:45:10.000Z');
    await join(t.http, call.callId, as.member(838)).expect(200);
    await token(t.http, as.member(838), call.channelName, 838).expect(200);
    // Agora's leave of the first stay arrives late: a new noticeId, an older clientSeq, ts before the rejoin.
    await deliver(left(call.channelName, 838, 19, '2026-03-02T14:45:02.000Z')).expect(200);
    const sessions = await sessionsOf(call.callId, 838);
    expect(sessions).toHaveLength(2);
    expect(sessions[1]).toMatchObject({ open: 1, leftAt: null });
    await token(t.http, as.member(838), call.channelName, 838).expect(200);
    expect(await participantCount(call, 837)).toBe(2);
  });

  it('a replayed notice (same noticeId, new notifyMs) answers 200 and is applied once', async () => {
    clock.set('2026-03-02T15:00:00.000Z');
    const call = await callWith(840, [841]);
    clock.set('2026-03-02T15:05:00.000Z');
    const first = left(call.channelName, 841, 7, '2026-03-02T15:04:00.000Z');
    await deliver(first).expect(200, { ok: true });
    expect(await participantCount(call, 840)).toBe(1);

    // The member comes back through the API; the re-delivery must not close their new session.
    clock.set('2026-03-02T15:06:00.000Z');
    await join(t.http, call.callId, as.member(841)).expect(200);
    clock.set('2026-03-02T15:07:00.000Z');
    await deliver({ ...first, notifyMs: first.notifyMs + 60_000 }).expect(200, { ok: true });

    const sessions = await sessionsOf(call.callId, 841);
    expect(sessions).toHaveLength(2);
    expect(sessions[0]).toMatchObject({ open: null, leaveReason: 'agora_left', lastClientSeq: 7 });
    expect(sessions[0].leftAt?.toISOString()).toBe('2026-03-02T15:04:00.000Z');
    expect(sessions[1]).toMatchObject({ open: 1, leftAt: null, lastClientSeq: null });
    expect(await participantCount(call, 840)).toBe(2);
    expect(await noticeCount(first.noticeId)).toBe(1);
  });

  it('the same notice delivered twice at once is applied once, both answered 200', async () => {
    clock.set('2026-03-02T15:30:00.000Z');
    const call = await callWith(845, [846, 847]);
    const twice = left(call.channelName, 846, 3, '2026-03-02T15:30:10.000Z');
    const [a, b] = await Promise.all([deliver(twice), deliver({ ...twice, notifyMs: twice.notifyMs + 1 })]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await noticeCount(twice.noticeId)).toBe(1);
    expect(await participantCount(call, 845)).toBe(2);
    expect((await sessionsOf(call.callId, 846))[0]).toMatchObject({ open: null, leaveReason: 'agora_left' });
  });

  it('out of order: leave (seq 5) then the older join (seq 4) leaves the session closed as the leave said', async () => {
    clock.set('2026-03-02T16:00:00.000Z');
    const call = await callWith(850, [851]);
    clock.set('2026-03-02T16:10:00.000Z');
    await deliver(left(call.channelName, 851, 5, '2026-03-02T16:08:00.000Z', 3)).expect(200);
    await deliver(joined(call.channelName, 851, 4, '2026-03-02T16:01:00.000Z')).expect(200);

    const sessions = await sessionsOf(call.callId, 851);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ open: null, leaveReason: 'agora_kicked', durationSeconds: 480, lastClientSeq: 5 });
    expect(sessions[0].leftAt?.toISOString()).toBe('2026-03-02T16:08:00.000Z');
    expect(sessions[0].lastSeenAt?.toISOString()).toBe('2026-03-02T16:00:00.000Z');
    expect(await participantCount(call, 850)).toBe(1);
  });

  it('out of order: join (seq 7) confirms, then a late leave (seq 6) is ignored', async () => {
    clock.set('2026-03-02T17:00:00.000Z');
    const call = await callWith(860, [861]);
    clock.set('2026-03-02T17:03:00.000Z');
    await deliver(joined(call.channelName, 861, 7, '2026-03-02T17:02:00.000Z')).expect(200);
    await deliver(left(call.channelName, 861, 6, '2026-03-02T17:01:00.000Z')).expect(200);
    // The same sequence again is not newer either.
    await deliver(left(call.channelName, 861, 7, '2026-03-02T17:02:30.000Z')).expect(200);

    const session = await openSession(call.callId, 861);
    expect(session).toMatchObject({ leftAt: null, leaveReason: null, lastClientSeq: 7 });
    expect(session.lastSeenAt?.toISOString()).toBe('2026-03-02T17:02:00.000Z');
    expect(await participantCount(call, 860)).toBe(2);

    // A newer leave still closes it.
    await deliver(left(call.channelName, 861, 8, '2026-03-02T17:02:50.000Z')).expect(200);
    expect((await sessionsOf(call.callId, 861))[0]).toMatchObject({ open: null, leaveReason: 'agora_left', durationSeconds: 170, lastClientSeq: 8 });
  });

  it('102 channel destroyed closes every session open in the channel at ts; the call stays active', async () => {
    clock.set('2026-03-02T18:00:00.000Z');
    const call = await callWith(870, [871, 872]);
    await t.http.post(`/api/calling/${call.callId}/leave`).set(as.member(872)).expect(200);
    clock.set('2026-03-02T18:03:00.000Z');
    await join(t.http, call.callId, as.member(873)).expect(200);
    const other = await callWith(875, []);
    clock.set('2026-03-02T18:06:00.000Z');
    // The destroy happened at 18:04 and arrives late: 874 joined after it, in the channel's next life.
    await join(t.http, call.callId, as.member(874)).expect(200);

    await deliver(notice(102, { channelName: call.channelName, ts: unix('2026-03-02T18:04:00.000Z') })).expect(200, { ok: true });

    for (const [userId, duration] of [[870, 240], [871, 240], [873, 60]]) {
      const sessions = await sessionsOf(call.callId, userId);
      expect(sessions.at(-1)).toMatchObject({ open: null, leaveReason: 'agora_channel_destroyed', durationSeconds: duration });
      expect(sessions.at(-1)?.leftAt?.toISOString()).toBe('2026-03-02T18:04:00.000Z');
    }
    expect((await sessionsOf(call.callId, 872))[0]).toMatchObject({ leaveReason: 'left' });
    expect(await openSession(call.callId, 874)).toMatchObject({ leftAt: null });
    expect(await participantCount(call, 870)).toBe(1);
    expect(await t.dataSource.getRepository(Call).findOneByOrFail({ id: call.callId })).toMatchObject({ status: 'active', endedAt: null });
    // Another call's sessions are untouched.
    expect(await openSession(other.callId, 875)).toMatchObject({ leftAt: null });
  });

  it('unknown event types, channels and uids: 200, recorded, nothing changes', async () => {
    clock.set('2026-03-02T19:00:00.000Z');
    const call = await callWith(880, [881]);
    clock.set('2026-03-02T19:02:00.000Z');
    const deliveries = [
      notice(111, { channelName: call.channelName, uid: 881, clientSeq: 9, ts: unix('2026-03-02T19:01:00.000Z'), newRole: 2 }),
      notice(101, { channelName: call.channelName, ts: unix('2026-03-02T19:01:00.000Z') }),
      left('call_9999999999_nosuchchn', 881, 9, '2026-03-02T19:01:00.000Z'),
      notice(102, { channelName: 'call_9999999999_nosuchchn', ts: unix('2026-03-02T19:01:00.000Z') }),
      left(call.channelName, 4242, 9, '2026-03-02T19:01:00.000Z'),
      joined(call.channelName, 4242, 9, '2026-03-02T19:01:00.000Z'),
    ];
    for (const body of deliveries) {
      await deliver(body).expect(200, { ok: true });
      expect(await noticeCount(body.noticeId)).toBe(1);
    }
    for (const userId of [880, 881]) {
      expect(await openSession(call.callId, userId)).toMatchObject({ leftAt: null, lastClientSeq: null });
      expect((await openSession(call.callId, userId)).lastSeenAt?.toISOString()).toBe('2026-03-02T19:00:00.000Z');
    }
    expect(await participantCount(call, 880)).toBe(2);
  });

  it('events for an ended call change nothing', async () => {
    clock.set('2026-03-02T20:00:00.000Z');
    const call = await callWith(890, [891]);
    clock.set('2026-03-02T20:05:00.000Z');
    await t.http.post(`/api/calling/${call.callId}/end`).set(as.member(890)).expect(200);
    await deliver(left(call.channelName, 891, 1, '2026-03-02T20:04:00.000Z', 3)).expect(200);
    await deliver(notice(102, { channelName: call.channelName, ts: unix('2026-03-02T20:04:00.000Z') })).expect(200);
    const [session] = await sessionsOf(call.callId, 891);
    expect(session).toMatchObject({ open: null, leaveReason: 'call_ended', durationSeconds: 300, lastClientSeq: null });
  });
});
